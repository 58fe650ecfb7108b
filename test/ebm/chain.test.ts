import { describe, expect, it } from 'vitest';
import { fluxImbalance, potential, potentialMismatch, proposalChain, stationaryDistribution, tunedChain } from '../../src/ebm/chain.js';
import { taskSchema, type RefineTask } from '../../src/tasks/schema.js';
import { refineWorld } from '../../src/tasks/worlds.js';
import { mulberry32 } from '../support/random.js';
import { expectClose } from '../support/assert.js';
import { gthStationary, randomProposal, tunedOracle, worldOf } from './instances.js';

const BETAS = [0.1, 0.5, 2, 20];

describe('tuned kernel T(g|f) ∝ π_ref(g|f)·e^{u(g)/β} (F15–F16)', () => {
  it('matches the definition row by row; log Z_u(f) = log Σ_g π_ref(g|f)·e^{u(g)/β}', () => {
    const u = mulberry32(11);
    for (const n of [2, 7, 40]) {
      const p = randomProposal(u, n, { sparsity: 0.4, qualityScale: 2 });
      const world = worldOf(p);
      for (const beta of BETAS) {
        const c = tunedChain(world, beta);
        const T = tunedOracle(p, beta);
        for (let f = 0; f < n; f++) {
          let z = 0;
          for (let g = 0; g < n; g++) {
            expectClose(c.T[f * n + g], T[f][g], 1e-12, 1e-300, `T(${g}|${f}) n=${n} β=${beta}`);
            z += p.ref[f][g] * Math.exp(p.quality[g] / beta);
          }
          expectClose(c.logZ[f], Math.log(z), 1e-12, 0, `log Z_u(${f})`);
        }
      }
    }
  });
});

describe('stationary distribution', () => {
  it('equals GTH state reduction, for reversible (tree) and non-reversible (linear solve) chains', () => {
    const u = mulberry32(12);
    for (const asymmetry of [0, 0.3]) {
      for (const n of [3, 12, 30]) {
        const p = randomProposal(u, n, { sparsity: 0.3, asymmetry });
        const world = worldOf(p);
        for (const beta of [0.5, 3]) {
          const st = stationaryDistribution(tunedChain(world, beta));
          expect(st.reversible).toBe(asymmetry === 0);
          const want = gthStationary(tunedOracle(p, beta));
          for (let f = 0; f < n; f++) expectClose(st.pi[f], want[f], 1e-10, 0, `ν(${f}) n=${n} a=${asymmetry} β=${beta}`);
          expect(st.stationarityResidual).toBeLessThan(1e-15);
        }
      }
    }
  });
});

describe('detailed balance with the potential V = log μ + u/β + log Z_u (F18, reconstructed)', () => {
  it('reversible π_ref: ν(f)T(g|f) = ν(g)T(f|g) to 1e-15, ν ∝ μ·Z_u·e^{u/β} = e^V, T(g|f)/T(f|g) = e^{V(g)−V(f)}', () => {
    const u = mulberry32(13);
    for (let trial = 0; trial < 12; trial++) {
      const n = 2 + Math.floor(u() * 40);
      const p = randomProposal(u, n, { sparsity: u() * 0.8, qualityScale: 0.5 + 2 * u() });
      const world = worldOf(p);
      // μ from the test side: GTH on π_ref itself.
      const mu = gthStationary(p.ref);
      for (const beta of BETAS) {
        const chain = tunedChain(world, beta);
        const st = stationaryDistribution(chain);
        expect(st.reversible).toBe(true);
        expect(st.detailedBalanceResidual).toBeLessThanOrEqual(1e-15);
        // F18's prediction ν(f) ∝ μ(f)·Z_u(f)·e^{u(f)/β}, in logs, from the test side.
        const logW = p.quality.map((q, f) => Math.log(mu[f]) + Math.log(p.ref[f].reduce((s, r, g) => s + r * Math.exp(p.quality[g] / beta), 0)) + q / beta);
        const top = Math.max(...logW);
        const lz = top + Math.log(logW.reduce((s, x) => s + Math.exp(x - top), 0));
        const nu = gthStationary(tunedOracle(p, beta));
        const V = potential(world, chain, stationaryDistribution(proposalChain(world)).logPi);
        const T = tunedOracle(p, beta);
        for (let f = 0; f < n; f++) {
          expectClose(st.pi[f], nu[f], 1e-10, 0, `ν(${f}) n=${n} β=${beta} vs GTH`);
          expectClose(st.pi[f], Math.exp(logW[f] - lz), 1e-11, 0, `ν(${f}) vs F18's μ·Z_u·e^{u/β}`);
          expectClose(Math.exp(V[f]), Math.exp(logW[f] - lz), 1e-11, 0, `e^V(${f})`);
          for (let g = 0; g < n; g++) {
            if (T[f][g] > 0) expectClose(Math.log(T[f][g] / T[g][f]), V[g] - V[f], 0, 1e-11, `log-ratio (${f},${g})`);
          }
        }
        expect(potentialMismatch(chain, V)).toBeLessThan(1e-12);
      }
    }
  });

  it('negative control: a non-reversible π_ref breaks detailed balance, more so with more asymmetry', () => {
    const n = 25;
    const residuals: number[] = [];
    const mismatches: number[] = [];
    for (const a of [0, 1e-3, 1e-2, 0.1, 0.5]) {
      // Same seed: the same symmetric part and direction, scaled asymmetry.
      const p = randomProposal(mulberry32(14), n, { sparsity: 0.3, asymmetry: a });
      const world = worldOf(p);
      const chain = tunedChain(world, 1);
      const st = stationaryDistribution(chain);
      const nu = gthStationary(tunedOracle(p, 1));
      residuals.push(fluxImbalance(n, chain.T, Float64Array.from(nu)).relative);
      mismatches.push(potentialMismatch(chain, potential(world, chain, stationaryDistribution(proposalChain(world)).logPi)));
      expect(st.reversible).toBe(a === 0);
    }
    expect(residuals[0]).toBeLessThan(1e-13);
    expect(mismatches[0]).toBeLessThan(1e-12);
    for (let i = 1; i < residuals.length; i++) {
      expect(residuals[i]).toBeGreaterThan(residuals[i - 1]);
      expect(mismatches[i]).toBeGreaterThan(mismatches[i - 1]);
    }
    expect(residuals[1]).toBeGreaterThan(1e-5);
  });
});

describe('generated proposals', () => {
  /** Kolmogorov's criterion on triangles: π(g|f)π(h|g)π(f|h) = π(h|f)π(g|h)π(f|g), in logs. */
  function worstCycle(logRef: Float64Array, n: number): number {
    let worst = 0;
    for (let f = 0; f < n; f++)
      for (let g = f + 1; g < n; g++)
        for (let h = g + 1; h < n; h++) {
          const fwd = logRef[f * n + g] + logRef[g * n + h] + logRef[h * n + f];
          const bwd = logRef[f * n + h] + logRef[h * n + g] + logRef[g * n + f];
          if (Number.isFinite(fwd) && Number.isFinite(bwd)) worst = Math.max(worst, Math.abs(fwd - bwd));
        }
    return worst;
  }

  it('reversible by construction (cycle criterion), and not with an asymmetry; the same seed gives the same chain', () => {
    for (const neighbors of [undefined, 2]) {
      const make = (extra: object) => {
        const t = taskSchema.parse({ kind: 'refine', generate: { states: 18, seed: 5, ...(neighbors ? { neighbors } : {}), ...extra } });
        return refineWorld(t as RefineTask);
      };
      const rev = make({});
      expect(worstCycle(rev.logRef, 18)).toBeLessThan(1e-12);
      expect(worstCycle(make({ reversible: false, asymmetry: 0.3 }).logRef, 18)).toBeGreaterThan(1e-3);
      expect(Array.from(make({}).logRef)).toEqual(Array.from(rev.logRef));
      for (let f = 0; f < 18; f++) {
        const row = Array.from(rev.logRef.subarray(f * 18, (f + 1) * 18));
        expect(Math.abs(row.reduce((s, x) => s + Math.exp(x), 0) - 1)).toBeLessThan(1e-14);
        // The ring neighbourhood: exactly 2·neighbors + 1 proposals per response.
        expect(row.filter((x) => x > -Infinity).length).toBe(neighbors ? 2 * neighbors + 1 : 18);
      }
    }
  });
});
