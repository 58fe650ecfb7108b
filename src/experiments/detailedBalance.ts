import { z } from 'zod';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { potential, potentialMismatch, proposalChain, stationaryDistribution, tunedChain } from '../ebm/chain.js';
import { denseSpectrum, symmetrize } from '../ebm/spectrum.js';
import { lineChart, type Row } from '../report/specs.js';
import { generatedRefine, TAN_HONG } from './refineInstances.js';
import { check, closeTo, type Experiment, type Verdict } from './types.js';

const configSchema = z
  .object({
    states: z.number().int().min(3).max(2000),
    seeds: z.array(z.number().int()).min(1),
    betas: z.array(z.number().positive()).min(1),
    qualityScale: z.number().positive(),
    asymmetries: z.array(z.number().nonnegative()).min(3).describe('increasing; the first should be 0'),
    spectrumStates: z.number().int().min(3).max(600).describe('size of the instance whose full spectrum is plotted and checked against the non-symmetric solver'),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

export const detailedBalance: Experiment<Config> = {
  id: 'detailed-balance',
  title: 'Detailed balance of the tuned refinement chain with a scalar potential',
  question:
    'Is the tuned chain T(g|f) ∝ π_ref(g|f)·e^{u(g)/β} reversible with stationary law e^V, V = log μ + u/β + log Z_u, whenever π_ref is reversible — and does the balance break, increasingly, when π_ref is not?',
  source: TAN_HONG,
  claim:
    'If a refinement step is the KL-regularized optimum with the current response as context and the reward is a quality potential, and the pretrained proposal is reversible, then the refinement chain satisfies detailed balance with respect to a potential that grows with quality (plus a reachability term). Its symmetrized kernel then has a real spectrum in [−1, 1]. Without the symmetry of the proposal the balance fails.',
  configSchema,
  sizes: {
    quick: { states: 40, seeds: [1, 2, 3], betas: [0.25, 1, 4], qualityScale: 1, asymmetries: [0, 1e-4, 1e-3, 1e-2, 0.1, 0.3, 1], spectrumStates: 40 },
    full: { states: 300, seeds: [1, 2, 3, 4, 5], betas: [0.1, 0.25, 0.5, 1, 2, 4, 10], qualityScale: 1, asymmetries: [0, 1e-5, 1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1, 2], spectrumStates: 200 },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    let flux = 0;
    let stationarity = 0;
    let nuVsPotential = 0;
    let ratioMismatch = 0;
    const table: (number | string)[][] = [];
    const potentialRows: Row[] = [];
    const total = c.seeds.length + 2;
    for (const [i, seed] of c.seeds.entries()) {
      const world = generatedRefine({ states: c.states, seed, qualityScale: c.qualityScale });
      const logMu = stationaryDistribution(proposalChain(world)).logPi;
      for (const beta of c.betas) {
        const chain = tunedChain(world, beta);
        const st = stationaryDistribution(chain);
        const V = potential(world, chain, logMu);
        let rel = 0;
        for (let f = 0; f < c.states; f++) rel = Math.max(rel, Math.abs(Math.exp(V[f]) / st.pi[f] - 1));
        const mismatch = potentialMismatch(chain, V);
        flux = Math.max(flux, st.detailedBalanceResidual);
        stationarity = Math.max(stationarity, st.stationarityResidual);
        nuVsPotential = Math.max(nuVsPotential, rel);
        ratioMismatch = Math.max(ratioMismatch, mismatch);
        table.push([seed, beta, st.detailedBalanceResidual, st.stationarityResidual, rel, mismatch]);
        if (i === 0) for (let f = 0; f < c.states; f++) potentialRows.push({ quality: world.quality[f], V: V[f], beta: `β = ${beta}` });
      }
      ctx.onProgress?.(i + 1, total);
    }
    const where = `${c.seeds.length} generated chains × ${c.betas.length} β, n = ${c.states}`;
    // Tolerance: T(g|f) = e^{log T} carries a relative rounding of ~|log T|·ε (up to ~1e-14 when u/β ~ 30),
    // and so does any ν computed from it; 1e-14 is that floor, not a modelling slack.
    verdicts.push(closeTo(`ν(f)T(g|f) = ν(g)T(f|g) on all pairs: max |difference| (${where})`, `F18 ${TAN_HONG}`, 0, flux, 1e-14));
    verdicts.push(closeTo('ν is stationary: max ‖νT − ν‖_∞', 'F18', 0, stationarity, 1e-14));
    verdicts.push(closeTo('ν ∝ e^V with V = log μ + u/β + log Z_u: max |e^V/ν − 1|', `F18 ${TAN_HONG}`, 0, nuVsPotential, 1e-12));
    verdicts.push(closeTo('T(g|f)/T(f|g) = e^{V(g) − V(f)}: max |log T(g|f)/T(f|g) − (V(g) − V(f))|', `F18 ${TAN_HONG}`, 0, ratioMismatch, 1e-12));

    // The full spectrum of one instance, by the symmetric solver on D^{1/2}TD^{−1/2} and by the
    // non-symmetric solver on T itself.
    const small = generatedRefine({ states: c.spectrumStates, seed: c.seeds[0], qualityScale: c.qualityScale });
    const spectrumRows: Row[] = [];
    let solverGap = 0;
    let maxAbs = 0;
    let maxImag = 0;
    for (const beta of c.betas) {
      const chain = tunedChain(small, beta);
      const st = stationaryDistribution(chain);
      const n = c.spectrumStates;
      const sym = denseSpectrum(n, symmetrize(n, chain.T, st.pi));
      const rows = Array.from({ length: n }, (_, f) => Array.from(chain.T.subarray(f * n, (f + 1) * n)));
      const e = new EigenvalueDecomposition(new Matrix(rows));
      const re = Float64Array.from(e.realEigenvalues).sort();
      for (let k = 0; k < n; k++) {
        solverGap = Math.max(solverGap, Math.abs(re[k] - sym[k]));
        maxAbs = Math.max(maxAbs, Math.abs(sym[k]));
        maxImag = Math.max(maxImag, Math.abs(e.imaginaryEigenvalues[k]));
        spectrumRows.push({ rank: n - k, eigenvalue: sym[k], beta: `β = ${beta}` });
      }
    }
    ctx.onProgress?.(c.seeds.length + 1, total);
    verdicts.push(check('the spectrum of D^{1/2} T D^{−1/2} lies in [−1, 1] (max |λ|)', 'F18', maxAbs <= 1 + 1e-12, 1, maxAbs, 1e-12));
    verdicts.push(closeTo('…and equals the eigenvalues of T from a non-symmetric solver (max difference; T has a real spectrum)', 'F18', 0, Math.max(solverGap, maxImag), 1e-9));

    // Negative control: one symmetric part, an antisymmetric part scaled by the asymmetry.
    const violation: Row[] = [];
    const relFlux: number[] = [];
    const mismatches: number[] = [];
    const beta = c.betas[Math.floor(c.betas.length / 2)];
    for (const a of c.asymmetries) {
      const world = generatedRefine({ states: c.states, seed: c.seeds[0], qualityScale: c.qualityScale, reversible: a === 0, ...(a > 0 ? { asymmetry: a } : {}) });
      const chain = tunedChain(world, beta);
      const st = stationaryDistribution(chain);
      const rel = st.relativeResidual;
      const mismatch = potentialMismatch(chain, potential(world, chain, stationaryDistribution(proposalChain(world)).logPi));
      relFlux.push(rel);
      mismatches.push(mismatch);
      if (a > 0) {
        violation.push({ asymmetry: a, value: rel, measure: 'flux imbalance (relative)' });
        violation.push({ asymmetry: a, value: mismatch, measure: 'log-ratio mismatch of V' });
      }
    }
    ctx.onProgress?.(total, total);
    const increasing = (v: number[]) => v.every((x, i) => i === 0 || x > v[i - 1]);
    const last = c.asymmetries.length - 1;
    verdicts.push(
      check('negative control: the flux imbalance grows strictly with the asymmetry of π_ref', 'F18 (negative control)', increasing(relFlux), relFlux[1], relFlux[last]),
    );
    verdicts.push(
      check('…and so does the failure of the potential V to give the ratios T(g|f)/T(f|g)', 'F18 (negative control)', increasing(mismatches), mismatches[1], mismatches[last]),
    );
    verdicts.push(
      check(`every asymmetry > 0 breaks detailed balance beyond rounding (smallest relative imbalance, a = ${c.asymmetries[1]}, vs 1e-10)`, 'F18 (negative control)', relFlux[1] > 1e-10, 1e-10, relFlux[1]),
    );
    return {
      verdicts,
      plots: [
        lineChart({
          id: 'db-violation', title: `Negative control: max relative |ν(f)T(g|f) − ν(g)T(f|g)| and max |log T(g|f)/T(f|g) − (V(g) − V(f))| vs asymmetry (n = ${c.states}, β = ${beta})`, rows: violation,
          x: 'asymmetry', y: 'value', series: 'measure', legendLabelLimit: 240, logX: true, logY: true, points: true, xTitle: 'asymmetry a (antisymmetric part of log π_ref)', yTitle: 'violation',
        }),
        lineChart({
          id: 'db-spectrum', title: `Spectrum of the symmetrized tuned chain (n = ${c.spectrumStates})`, rows: spectrumRows,
          x: 'rank', y: 'eigenvalue', series: 'beta', legendLabelLimit: 240, points: true, xTitle: 'rank (1 = largest)', yTitle: 'eigenvalue of D^{1/2} T D^{−1/2}',
        }),
        lineChart({
          id: 'db-potential', title: 'The potential V grows with quality u (plus the reachability term log Z_u)', rows: potentialRows.sort((a, b) => (a.quality as number) - (b.quality as number)),
          x: 'quality', y: 'V', series: 'beta', legendLabelLimit: 240, points: true, xTitle: 'quality u(f)', yTitle: 'V(f) = log ν(f)',
        }),
      ],
      tables: [
        {
          title: 'Reversible chains: residuals per instance and β',
          columns: ['seed', 'β', 'max flux imbalance', '‖νT − ν‖∞', 'max |e^V/ν − 1|', 'max log-ratio mismatch'],
          rows: table,
        },
        {
          title: 'Negative control (first seed)',
          columns: ['asymmetry', 'relative flux imbalance', 'log-ratio mismatch of V'],
          rows: c.asymmetries.map((a, i) => [a, relFlux[i], mismatches[i]]),
        },
      ],
      notes: [
        'Generated proposals: symmetric log-weights N(0,1) on all pairs (reversible w.r.t. μ ∝ row sums), plus asymmetry × an antisymmetric N(0,1) part; quality u ~ N(0, qualityScale²).',
        'ν is computed without V: by detailed balance along a spanning tree when the chain is reversible (then checked on every pair), else by a linear solve.',
      ],
    };
  },
};
