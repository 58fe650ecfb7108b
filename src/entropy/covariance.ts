/**
 * The per-token covariance score of Clip-Cov and KL-Cov (ANCHORS §3.2; Cui et al. 2025):
 *   c_t = (log π(y_t) − mean log π)·(A_t − mean A),
 * the means taken over the tokens of the selection scope (a micro-batch in verl/PRIME, the
 * optimizer mini-batch with verl PR #7830). It is a centred cross-product per token, the sample
 * counterpart of the per-state Cov_π(log π, A) whose sign sets the entropy change (F28–F30): tokens
 * that are both likely and advantaged drive entropy down, and these are the ones the controls
 * select.
 */

/**
 * Writes c_t into out[from..to). `mass` weights the means (1 per sampled token; an exact batch's
 * probabilities, which makes the means expectations).
 */
export function covarianceScores(
  logp: Float64Array,
  adv: Float64Array,
  mass: Float64Array,
  from: number,
  to: number,
  out: Float64Array,
): Float64Array {
  let m = 0;
  let lp = 0;
  let a = 0;
  for (let t = from; t < to; t++) {
    m += mass[t];
    lp += mass[t] * logp[t];
    a += mass[t] * adv[t];
  }
  lp /= m;
  a /= m;
  for (let t = from; t < to; t++) out[t] = (logp[t] - lp) * (adv[t] - a);
  return out;
}

/**
 * Tokens a ratio selects out of N: max(⌊ratio·N⌋, 1) as in verl and PRIME (so a small micro-batch
 * always selects one token: with ratio 2e-4 that is every micro-batch under 10,000 tokens,
 * ANCHORS §3.6), and 0 when an annealed ratio has reached 0.
 */
export function tokenQuota(ratio: number, N: number): number {
  return ratio > 0 && N > 0 ? Math.max(Math.floor(ratio * N), 1) : 0;
}
