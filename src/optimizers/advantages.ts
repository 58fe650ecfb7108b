import type { ScaleRewards } from './settings.js';

/**
 * Advantage estimators (rlax-style: pure functions over arrays). Group estimators take the
 * per-completion returns R of `B` completions in contiguous groups of G (one prompt each) and
 * write one advantage per completion; the caller broadcasts it to the completion's tokens.
 * Standard deviations are the sample ones (Bessel), as torch.std in verl and TRL.
 */

/** Sample standard deviation of x[from..to). */
function sampleStd(x: Float64Array, from: number, to: number): number {
  const n = to - from;
  let mean = 0;
  for (let i = from; i < to; i++) mean += x[i];
  mean /= n;
  let ss = 0;
  for (let i = from; i < to; i++) ss += (x[i] - mean) * (x[i] - mean);
  return n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
}

/**
 * GRPO (F39; TRL `scale_rewards`): A_i = (R_i − mean_g)/(σ + ε) with σ the group std (`group`),
 * the whole batch's std (`batch`) or no division (`none`: Dr. GRPO's group mean baseline).
 */
export function grpoAdvantages(R: Float64Array, B: number, G: number, scale: ScaleRewards, eps: number, out: Float64Array): Float64Array {
  const batchStd = scale === 'batch' ? sampleStd(R, 0, B) : 0;
  for (let g0 = 0; g0 < B; g0 += G) {
    let mean = 0;
    for (let i = g0; i < g0 + G; i++) mean += R[i];
    mean /= G;
    const denom = scale === 'none' ? 1 : (scale === 'group' ? sampleStd(R, g0, g0 + G) : batchStd) + eps;
    for (let i = g0; i < g0 + G; i++) out[i] = (R[i] - mean) / denom;
  }
  return out;
}

/** RLOO: A_i = R_i − mean of the other G−1 returns of its group = G/(G−1)·(R_i − mean_g) (unbiased, F40). */
export function rlooAdvantages(R: Float64Array, B: number, G: number, out: Float64Array): Float64Array {
  for (let g0 = 0; g0 < B; g0 += G) {
    let sum = 0;
    for (let i = g0; i < g0 + G; i++) sum += R[i];
    for (let i = g0; i < g0 + G; i++) out[i] = R[i] - (sum - R[i]) / (G - 1);
  }
  return out;
}

/**
 * Whitening (verl `masked_whiten`): (x − mean)/√(var + 1e-8) over x[from..to). With `weights`, the
 * weighted population mean and variance (exact expectations); without, the sample variance.
 */
export function whiten(x: Float64Array, from: number, to: number, weights: Float64Array | null): void {
  let sw = 0;
  let mean = 0;
  for (let i = from; i < to; i++) {
    const w = weights ? weights[i] : 1;
    sw += w;
    mean += w * x[i];
  }
  mean /= sw;
  let ss = 0;
  for (let i = from; i < to; i++) ss += (weights ? weights[i] : 1) * (x[i] - mean) ** 2;
  const n = to - from;
  const variance = weights ? ss / sw : n > 1 ? ss / (n - 1) : 0;
  const scale = 1 / Math.sqrt(variance + 1e-8);
  for (let i = from; i < to; i++) x[i] = (x[i] - mean) * scale;
}

/**
 * Generalized advantage estimation over one completion's tokens [from, to):
 * δ_t = r_t + γ·V(s_{t+1}) − V(s_t) (V = 0 after the last token), A_t = δ_t + γλ·A_{t+1};
 * `returns` = A + V, the critic's regression target.
 */
export function gae(
  reward: Float64Array,
  value: Float64Array,
  from: number,
  to: number,
  gamma: number,
  lam: number,
  adv: Float64Array,
  returns: Float64Array,
): void {
  let next = 0;
  let nextValue = 0;
  for (let t = to - 1; t >= from; t--) {
    const delta = reward[t] + gamma * nextValue - value[t];
    next = delta + gamma * lam * next;
    adv[t] = next;
    returns[t] = next + value[t];
    nextValue = value[t];
  }
}
