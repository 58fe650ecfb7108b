import { logSumExp } from './logsumexp.js';

/** out[i] = z[i] − log Σ exp(z): log-probabilities of softmax(z). Returns log Z. In place if out === z. */
export function logSoftmax(z: ArrayLike<number>, out: Float64Array, from = 0, to = z.length): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (z[i] > max) max = z[i];
  if (max === -Infinity || max === Infinity) {
    const lz = logSumExp(z, from, to);
    for (let i = from; i < to; i++) out[i] = z[i] - lz;
    return lz;
  }
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(z[i] - max);
  const ls = Math.log(sum);
  // (z − max) − log Σ, never z − (max + log Σ): rounding max + log Σ at the scale of the logits
  // (1e6, say) would cost every log-probability an absolute error of ulp(max) ~ 1e-10.
  for (let i = from; i < to; i++) out[i] = z[i] - max - ls;
  return max + ls;
}

/** Probabilities from log-probabilities (−∞ ↦ 0). */
export function expInto(logp: ArrayLike<number>, out: Float64Array, from = 0, to = logp.length): Float64Array {
  for (let i = from; i < to; i++) out[i] = Math.exp(logp[i]);
  return out;
}

/** softmax(z) as probabilities. */
export function softmax(z: ArrayLike<number>): Float64Array {
  const out = new Float64Array(z.length);
  logSoftmax(z, out);
  return expInto(out, out);
}

/** Log-probabilities of a nonnegative weight vector (renormalized). Zero weights give −∞. */
export function logNormalize(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i];
  const lt = Math.log(total);
  for (let i = 0; i < weights.length; i++) out[i] = Math.log(weights[i]) - lt;
  return out;
}
