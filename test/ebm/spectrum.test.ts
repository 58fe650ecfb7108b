import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { oscillation, reversibleSpectrum } from '../../src/ebm/analysis.js';
import { proposalChain, stationaryDistribution, tunedChain } from '../../src/ebm/chain.js';
import { denseSpectrum, extremeEigenvalues, symmetrize } from '../../src/ebm/spectrum.js';
import { taskSchema, type RefineTask } from '../../src/tasks/schema.js';
import { refineWorld } from '../../src/tasks/worlds.js';
import { expectClose } from '../support/assert.js';
import { mulberry32 } from '../support/random.js';
import { gthStationary, powerEigenvalue, randomProposal, tunedOracle, worldOf } from './instances.js';

describe('spectrum of the reversible tuned chain (F18: D^{1/2} T D^{−1/2} is symmetric)', () => {
  it('dense symmetric eigenvalues = eigenvalues of T itself (non-symmetric solver), real, in [−1, 1], top 1', () => {
    const u = mulberry32(21);
    for (let trial = 0; trial < 8; trial++) {
      const n = 2 + Math.floor(u() * 30);
      const p = randomProposal(u, n, { sparsity: u() * 0.7, qualityScale: 2 });
      const beta = [0.3, 1, 5][trial % 3];
      const chain = tunedChain(worldOf(p), beta);
      const st = stationaryDistribution(chain);
      const sym = denseSpectrum(n, symmetrize(n, chain.T, st.pi));
      // Hessenberg QR on T as given (no symmetrization, no ν): an independent route to the same spectrum.
      const e = new EigenvalueDecomposition(new Matrix(tunedOracle(p, beta)));
      const re = Float64Array.from(e.realEigenvalues).sort();
      for (let i = 0; i < n; i++) {
        expectClose(sym[i], re[i], 0, 1e-10, `λ_${i} n=${n}`);
        expect(Math.abs(e.imaginaryEigenvalues[i])).toBeLessThan(1e-8);
        expect(Math.abs(sym[i])).toBeLessThanOrEqual(1 + 1e-12);
      }
      expectClose(sym[n - 1], 1, 0, 1e-12, 'top eigenvalue');
    }
  });

  it('Lanczos extremes = dense spectrum = power iteration, on dense and on slowly mixing ring chains', () => {
    const u = mulberry32(22);
    const cases: { n: number; neighbors?: number; beta: number }[] = [
      { n: 2, beta: 1 },
      { n: 3, beta: 0.5 },
      { n: 60, beta: 0.3 },
      { n: 150, beta: 2 },
      { n: 120, neighbors: 2, beta: 1 },
      { n: 200, neighbors: 1, beta: 5 },
    ];
    for (const c of cases) {
      const task = taskSchema.parse({ kind: 'refine', generate: { states: c.n, seed: Math.floor(u() * 1000), ...(c.neighbors ? { neighbors: c.neighbors } : {}) } });
      const world = refineWorld(task as RefineTask);
      const chain = tunedChain(world, c.beta);
      const st = stationaryDistribution(chain);
      const S = symmetrize(c.n, chain.T, st.pi);
      const dense = denseSpectrum(c.n, S);
      const lz = extremeEigenvalues(c.n, S, st.pi.map(Math.sqrt));
      const what = `n=${c.n} neighbors=${c.neighbors ?? 'all'} β=${c.beta}`;
      expectClose(lz.lambda2, dense[c.n - 2], 0, 1e-10, `λ₂ Lanczos vs dense, ${what}`);
      expectClose(lz.lambdaMin, dense[0], 0, 1e-10, `λ_min Lanczos vs dense, ${what}`);
      if (c.n <= 60) {
        const rows = Array.from({ length: c.n }, (_, f) => Array.from(chain.T.subarray(f * c.n, (f + 1) * c.n)));
        const nu = gthStationary(rows);
        expectClose(powerEigenvalue(rows, nu, 1), dense[c.n - 2], 0, 1e-9, `λ₂ power iteration, ${what}`);
        expectClose(powerEigenvalue(rows, nu, -1), dense[0], 0, 1e-9, `λ_min power iteration, ${what}`);
      }
    }
  });

  it('F21 (derived): 1 − λ₂(T) ≥ e^{−2·osc(u)/β}·(1 − λ₂(π_ref)) on random instances (ratio logged)', () => {
    const u = mulberry32(23);
    let tightest = Infinity;
    for (let trial = 0; trial < 30; trial++) {
      const n = 3 + Math.floor(u() * 30);
      const p = randomProposal(u, n, { sparsity: u() * 0.9, qualityScale: 0.2 + 2 * u() });
      const world = worldOf(p);
      const ref = proposalChain(world);
      const refGap = 1 - reversibleSpectrum(ref, stationaryDistribution(ref)).lambda2;
      for (const beta of [0.2, 1, 5, 50]) {
        const chain = tunedChain(world, beta);
        const st = stationaryDistribution(chain);
        const gap = 1 - denseSpectrum(n, symmetrize(n, chain.T, st.pi))[n - 2];
        const bound = Math.exp((-2 * oscillation(world.quality)) / beta) * refGap;
        expect(gap + 1e-12, `gap ${gap} < bound ${bound}`).toBeGreaterThanOrEqual(bound);
        tightest = Math.min(tightest, gap / bound);
      }
    }
    console.log(`F21: smallest gap/bound over random instances = ${tightest.toFixed(3)}`);
  });
});
