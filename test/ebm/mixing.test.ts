import { describe, expect, it } from 'vitest';
import { reversibleSpectrum } from '../../src/ebm/analysis.js';
import { stationaryDistribution, tunedChain } from '../../src/ebm/chain.js';
import { mixingBounds, mixingTrace } from '../../src/ebm/mixing.js';
import { expectClose } from '../support/assert.js';
import { mulberry32 } from '../support/random.js';
import { gthStationary, randomProposal, tunedOracle, worldOf } from './instances.js';

describe('convergence to stationarity from a point mass (F19–F20)', () => {
  it('the trace equals p_t = δ_x T^t computed independently (KL, χ², TV)', () => {
    const u = mulberry32(31);
    const p = randomProposal(u, 9, { sparsity: 0.5, asymmetry: 0.2 });
    const T = tunedOracle(p, 0.7);
    const nu = gthStationary(T);
    const chain = tunedChain(worldOf(p), 0.7);
    const st = stationaryDistribution(chain);
    const tr = mixingTrace(9, chain.T, st.pi, st.logPi, 4, 12);
    let pt: number[] = Array.from({ length: 9 }, (_, g) => (g === 4 ? 1 : 0));
    for (let t = 0; t <= 12; t++) {
      const kl = pt.reduce((s, x, g) => (x > 0 ? s + x * Math.log(x / nu[g]) : s), 0);
      const chi2 = pt.reduce((s, x, g) => s + (x - nu[g]) ** 2 / nu[g], 0);
      const tv = 0.5 * pt.reduce((s, x, g) => s + Math.abs(x - nu[g]), 0);
      expectClose(tr.kl[t], kl, 1e-9, 1e-15, `KL_${t}`);
      expectClose(tr.chi2[t], chi2, 1e-9, 1e-15, `χ²_${t}`);
      expectClose(tr.tv[t], tv, 1e-9, 1e-15, `TV_${t}`);
      pt = pt.map((_, g) => pt.reduce((s, x, f) => s + x * T[f][g], 0));
    }
  });

  it('F19: KL(p_t‖ν) never increases, for reversible and non-reversible chains', () => {
    const u = mulberry32(32);
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + Math.floor(u() * 30);
      const p = randomProposal(u, n, { sparsity: u() * 0.8, asymmetry: trial % 2 ? 0.5 : 0, qualityScale: 2 });
      const chain = tunedChain(worldOf(p), 0.2 + u() * 3);
      const st = stationaryDistribution(chain);
      const tr = mixingTrace(n, chain.T, st.pi, st.logPi, Math.floor(u() * n), 40);
      for (let t = 1; t <= 40; t++) expect(tr.kl[t], `t=${t}`).toBeLessThanOrEqual(tr.kl[t - 1] + 1e-15);
    }
  });

  it('F19–F20 on reversible chains: χ²_{t+1} ≤ λ*²·χ²_t, and the L², KL and TV bounds hold at every t ≤ 30 (ratios logged)', () => {
    const u = mulberry32(33);
    let worst = { chi2: 0, kl: 0, tv: 0 };
    for (let trial = 0; trial < 20; trial++) {
      const n = 2 + Math.floor(u() * 40);
      const p = randomProposal(u, n, { sparsity: u() * 0.9, qualityScale: 0.5 + 2 * u() });
      const chain = tunedChain(worldOf(p), 0.3 + 3 * u());
      const st = stationaryDistribution(chain);
      const { lambdaStar } = reversibleSpectrum(chain, st);
      const x = Math.floor(u() * n);
      const tr = mixingTrace(n, chain.T, st.pi, st.logPi, x, 30);
      const b = mixingBounds(lambdaStar, st.pi[x], 30);
      for (let t = 0; t <= 30; t++) {
        if (t > 0) expect(tr.chi2[t]).toBeLessThanOrEqual(lambdaStar ** 2 * tr.chi2[t - 1] + 1e-12);
        expect(tr.chi2[t]).toBeLessThanOrEqual(b.chi2[t] * (1 + 1e-12) + 1e-12);
        expect(tr.kl[t]).toBeLessThanOrEqual(b.kl[t] + 1e-12);
        expect(tr.tv[t]).toBeLessThanOrEqual(b.tv[t] + 1e-12);
        if (t > 0 && tr.chi2[t] > 1e-20) worst = { chi2: Math.max(worst.chi2, tr.chi2[t] / b.chi2[t]), kl: Math.max(worst.kl, tr.kl[t] / b.kl[t]), tv: Math.max(worst.tv, tr.tv[t] / b.tv[t]) };
      }
    }
    console.log(`F20: largest actual/bound: χ² ${worst.chi2.toFixed(3)}, KL ${worst.kl.toFixed(3)}, TV ${worst.tv.toFixed(3)}`);
  });
});
