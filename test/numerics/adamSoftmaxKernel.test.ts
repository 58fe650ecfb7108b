import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AdamSoftmaxKernel } from '../../src/numerics/wasm/adamSoftmax.js';
import { TabularPolicy, policyLayout } from '../../src/policies/index.js';
import { gaussian, mulberry32 } from '../support/random.js';

/** Bitwise equality of two arrays (Object.is: −0 ≠ 0, NaN = NaN), reporting the first difference. */
function expectBitEqual(got: Float64Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`${what}[${i}]: ${got[i]} ≠ ${want[i]}`);
  }
}

/** A P-prompt, V-action layout (rows of V entries). */
function layoutOf(P: number, V: number) {
  return policyLayout({ type: 'bandit', prompts: P, actions: V, logRef: new Float64Array(P * V), reward: new Float64Array(P * V), maxReward: 0 });
}

const HYPER = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

describe('WebAssembly Adam + softmax kernel', () => {
  it('the committed module is assembled from adamSoftmax.wat (npm run wasm)', () => {
    // Exit status 1 (an exception here) when src/numerics/wasm/adamSoftmaxWasm.ts is stale.
    execFileSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { stdio: 'pipe' });
  });

  // Odd and even rows, a single entry, logits spanning the exponential's clamps and subnormal range.
  for (const [P, V, spread] of [
    [3, 7, 3],
    [2, 1, 1],
    [4, 1024, 1],
    [2, 33, 800],
  ] as const) {
    it(`is bit-identical to scalar Adam followed by TabularPolicy.normalize (${P} rows × ${V}, logits ± ${spread})`, () => {
      const rand = mulberry32(P * 1000 + V);
      const layout = layoutOf(P, V);
      const n = P * V;
      const z = Float64Array.from({ length: n }, () => spread * gaussian(rand));
      // Entries outside the support stay at −∞ with zero gradient.
      for (let i = 0; i < n; i += 5) if (V > 1) z[i] = -Infinity;
      const oracle = new TabularPolicy(layout, Float64Array.from(z));
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      const kernel = new AdamSoftmaxKernel(layout.rowOffset, HYPER);
      kernel.logits.set(z);
      for (let t = 1; t <= 6; t++) {
        const lr = 0.05 * t;
        const g = Float64Array.from({ length: n }, (_, i) => (z[i] === -Infinity ? 0 : gaussian(rand) * 10 ** (-8 * rand())));
        // One row without a chain-rule coefficient (c = 0 leaves g as it is).
        const coef = Float64Array.from({ length: P }, (_, r) => (r === 0 ? 0 : gaussian(rand)));
        kernel.grad.set(g);
        kernel.rowCoef.set(coef);
        kernel.prob.set(oracle.prob);
        // The gradient g − c_r·π as LossPipeline.gradient forms it, torch.optim.Adam written out,
        // scalar, then the library's scalar softmax.
        for (let i = 0; i < n; i++) g[i] -= coef[Math.floor(i / V)] * oracle.prob[i];
        const step = lr / (1 - HYPER.beta1 ** t);
        const c2 = 1 / Math.sqrt(1 - HYPER.beta2 ** t);
        for (let i = 0; i < n; i++) {
          m[i] = HYPER.beta1 * m[i] + (1 - HYPER.beta1) * g[i];
          v[i] = HYPER.beta2 * v[i] + (1 - HYPER.beta2) * g[i] * g[i];
          oracle.logits[i] += (-step * m[i]) / (Math.sqrt(v[i]) * c2 + HYPER.eps);
        }
        oracle.normalize();
        kernel.step(lr, t, true);
        expectBitEqual(kernel.logits, oracle.logits, `step ${t} logits`);
        expectBitEqual(kernel.logp, oracle.logp, `step ${t} logp`);
        expectBitEqual(kernel.prob, oracle.prob, `step ${t} prob`);
      }
    });
  }

  it('leaves prob and logp alone without the softmax (multiplicity layouts renormalize in TypeScript)', () => {
    const layout = layoutOf(1, 5);
    const kernel = new AdamSoftmaxKernel(layout.rowOffset, HYPER);
    kernel.prob.fill(7);
    kernel.grad.set([1, -1, 0, 2, -2]);
    kernel.step(0.1, 1, false);
    // First Adam step: −lr·g/(|g| + ε) (m̂ = g, √v̂ = |g|).
    expect(Array.from(kernel.logits, (x) => Math.round(x * 1e6) / 1e6)).toEqual([-0.1, 0.1, 0, -0.1, 0.1]);
    expect(Array.from(kernel.prob)).toEqual([7, 7, 7, 7, 7]);
  });
});
