import { logSumExp } from './logsumexp.js';

/** out[i] = z[i] − log Σ exp(z): log-probabilities of softmax(z). Returns log Z. In place if out === z. */
export function logSoftmax(z: ArrayLike<number>, out: Float64Array, from = 0, to = z.length): number {
  const lz = logSumExp(z, from, to);
  for (let i = from; i < to; i++) out[i] = z[i] - lz;
  return lz;
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
