import type { TabularPolicy } from '../policies/tabular.js';

/**
 * The exact proximal step at completion level (F5): π'(y) ∝ π(y)·exp(η·Σ_t g(y_t)), for a gain g
 * per entry (per token). A product of per-token factors keeps the per-step form, so π' has the
 * conditionals
 *   log π'(e | r) = log π(e | r) + η·g_e + W(next_e) − W(r),   W(r) = log Σ_e π(e|r)·e^{η·g_e + W(next_e)},
 * computed by one backward pass over rows (W = 0 after the last token). For bandits this is
 * π' ∝ π·e^{η·g} row by row; with g = r − β·log(π/π_ref) it is mirror descent on F_β (F4–F6),
 * at sequence level for sequence worlds.
 *
 * Writes per-token log π' into `out`; `W` is scratch of length rows.
 */
export function proximalStep(policy: TabularPolicy, gain: Float64Array, eta: number, out: Float64Array, W: Float64Array): Float64Array {
  const { rows, rowOffset, next, logMult } = policy.layout;
  const logp = policy.logp;
  for (let r = rows - 1; r >= 0; r--) {
    const a = rowOffset[r];
    const b = rowOffset[r + 1];
    let max = -Infinity;
    // out_e holds the unnormalized log-weight of the entry until the row's W is known.
    for (let e = a; e < b; e++) {
      out[e] = logp[e] === -Infinity ? -Infinity : logp[e] + eta * gain[e] + (next && next[e] >= 0 ? W[next[e]] : 0);
      const v = logMult ? out[e] + logMult[e] : out[e];
      if (v > max) max = v;
    }
    let sum = 0;
    for (let e = a; e < b; e++) if (out[e] !== -Infinity) sum += Math.exp((logMult ? out[e] + logMult[e] : out[e]) - max);
    const w = max + Math.log(sum);
    W[r] = w;
    for (let e = a; e < b; e++) out[e] -= w;
  }
  return out;
}

/** The KL-shaped gain of F4 per token: g = r − β·(log π − log π_ref) (β = 0: the bare reward). */
export function klShapedGain(policy: TabularPolicy, beta: number, out: Float64Array): Float64Array {
  const { reward, logRef } = policy.layout;
  for (let e = 0; e < out.length; e++) out[e] = policy.logp[e] === -Infinity ? 0 : reward[e] - (beta === 0 ? 0 : beta * (policy.logp[e] - logRef[e]));
  return out;
}
