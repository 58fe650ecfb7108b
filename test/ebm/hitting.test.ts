import { describe, expect, it } from 'vitest';
import { oscillation, reversibleSpectrum } from '../../src/ebm/analysis.js';
import { proposalChain, stationaryDistribution, tunedChain } from '../../src/ebm/chain.js';
import { escapeProbabilities, hittingBounds, hittingTimes } from '../../src/ebm/hitting.js';
import { expectClose } from '../support/assert.js';
import { mulberry32 } from '../support/random.js';
import { gthStationary, randomProposal, tunedOracle, worldOf } from './instances.js';

/** h ← 1 + T_BB h from h = 0: increases monotonically to the hitting times (no linear algebra). */
function iteratedHittingTimes(T: number[][], target: Uint8Array): number[] {
  const n = T.length;
  let h = new Array<number>(n).fill(0);
  for (let it = 0; it < 1_000_000; it++) {
    const next = h.map((_, f) => (target[f] ? 0 : 1 + T[f].reduce((s, p, g) => s + p * h[g], 0)));
    const change = Math.max(...next.map((x, f) => x - h[f]));
    h = next;
    if (change <= 1e-15 * Math.max(...h)) break;
  }
  return h;
}

describe('hitting times (F22)', () => {
  it('the LU and the symmetric Cholesky solves equal the iteration h = 1 + T h, for random target sets, reversible or not', () => {
    const u = mulberry32(41);
    for (let trial = 0; trial < 12; trial++) {
      const n = 2 + Math.floor(u() * 25);
      const p = randomProposal(u, n, { sparsity: u() * 0.6, asymmetry: trial % 3 === 0 ? 0.4 : 0 });
      const beta = 0.5 + 2 * u();
      const target = Uint8Array.from({ length: n }, () => (u() < 0.2 ? 1 : 0));
      target[Math.floor(u() * n)] = 1;
      const chain = tunedChain(worldOf(p), beta);
      const h = hittingTimes(n, chain.T, target);
      const want = iteratedHittingTimes(tunedOracle(p, beta), target);
      for (let f = 0; f < n; f++) expectClose(h[f], want[f], 1e-10, 0, `h(${f}) n=${n} (LU)`);
      const st = stationaryDistribution(chain);
      if (!st.reversible) continue;
      const hs = hittingTimes(n, chain.T, target, st.pi);
      for (let f = 0; f < n; f++) expectClose(hs[f], want[f], 1e-10, 0, `h(${f}) n=${n} (Cholesky, symmetric form)`);
    }
  });

  it('geometric bound, escape ≥ e^{−osc/β}·π_ref(A|f), spectral bound, and Kac, on 200 random target sets (ratios logged)', () => {
    const u = mulberry32(42);
    const ratios = { geometric: 0, spectral: 0, kac: 0 };
    for (let trial = 0; trial < 20; trial++) {
      const n = 3 + Math.floor(u() * 30);
      const p = randomProposal(u, n, { sparsity: u() * 0.8, qualityScale: 0.3 + 2 * u() });
      const world = worldOf(p);
      const beta = [0.3, 1, 4][trial % 3];
      const chain = tunedChain(world, beta);
      const st = stationaryDistribution(chain);
      const { lambda2 } = reversibleSpectrum(chain, st);
      const nu = gthStationary(tunedOracle(p, beta));
      const refT = proposalChain(world).T;
      for (let s = 0; s < 10; s++) {
        const target = Uint8Array.from({ length: n }, () => (u() < 0.3 ? 1 : 0));
        target[Math.floor(u() * n)] = 1;
        const h = hittingTimes(n, chain.T, target);
        const b = hittingBounds(n, chain.T, st.pi, target, h, lambda2);
        expect(b.maxHittingTime).toBeLessThanOrEqual(b.geometricBound * (1 + 1e-12));
        const escT = escapeProbabilities(n, chain.T, target);
        const escRef = escapeProbabilities(n, refT, target);
        const c = Math.exp(-oscillation(world.quality) / beta);
        for (let f = 0; f < n; f++) expect(escT[f]).toBeGreaterThanOrEqual(c * escRef[f] * (1 - 1e-12));
        expect(b.stationaryHittingTime).toBeLessThanOrEqual(b.spectralBound! * (1 + 1e-12));
        // Kac from the test side: 1/ν(A) with ν by GTH. The solve's relative accuracy is ~ε times
        // the condition number of I − T_BB, which is of the order of the largest hitting time.
        const nuA = nu.reduce((a, x, f) => a + (target[f] ? x : 0), 0);
        expectClose(b.returnTime, 1 / nuA, 1e-14 * Math.max(1e3, b.maxHittingTime), 0, 'Kac');
        ratios.geometric = Math.max(ratios.geometric, b.maxHittingTime / b.geometricBound);
        ratios.spectral = Math.max(ratios.spectral, b.stationaryHittingTime / b.spectralBound!);
        ratios.kac = Math.max(ratios.kac, Math.abs(b.returnTime * nuA - 1));
      }
    }
    console.log(`F22: largest actual/bound: geometric ${ratios.geometric.toFixed(3)}, spectral ${ratios.spectral.toFixed(3)}; Kac rel. error ${ratios.kac.toExponential(1)}`);
  });
});
