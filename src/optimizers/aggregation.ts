import type { TokenBatch } from './batch.js';
import type { LossAggMode } from './settings.js';

/**
 * verl's `agg_loss` (ANCHORS §2.4) as per-token weights w_t, so the loss is Σ_t w_t·ℓ_t: with N
 * tokens in B completions of lengths |o_i| and L = `loss_scale_factor` or the horizon,
 *   token-mean 1/N · token-sum 1 · seq-mean-token-sum 1/B · seq-mean-token-mean 1/(B·|o_i|) ·
 *   seq-mean-token-sum-norm 1/(B·L).
 * Writes `b.weight` over the tokens of completions [c0, c1). Mask-aware: a token's weight is
 * multiplied by its `mass` (1 for sampled tokens).
 */
export function aggregationWeights(mode: LossAggMode, b: TokenBatch, c0: number, c1: number, normLength: number): void {
  const B = c1 - c0;
  const t0 = b.tokenStart[c0];
  const t1 = b.tokenStart[c1];
  let N = 0;
  for (let t = t0; t < t1; t++) N += b.mass[t];
  for (let i = c0; i < c1; i++) {
    const a = b.tokenStart[i];
    const z = b.tokenStart[i + 1];
    let w: number;
    switch (mode) {
      case 'token-mean':
        w = 1 / N;
        break;
      case 'token-sum':
        w = 1;
        break;
      case 'seq-mean-token-sum':
        w = 1 / B;
        break;
      case 'seq-mean-token-mean':
        w = 1 / (B * (z - a));
        break;
      case 'seq-mean-token-sum-norm':
        w = 1 / (B * normLength);
        break;
    }
    for (let t = a; t < z; t++) b.weight[t] = w * b.mass[t];
  }
}

/**
 * The same aggregation in expectation, for an exact batch whose masses are the probabilities of
 * taking each entry per completion (they sum to the horizon L): E[agg] = scale·Σ_t mass_t·ℓ_t with
 *   token-mean 1/L · token-sum B · seq-mean-token-sum 1 · seq-mean-token-mean 1/L · seq-mean-token-sum-norm 1/L_norm
 * (every completion has the horizon's length; B is the number of completions a sampled step draws).
 */
export function exactAggregationWeights(mode: LossAggMode, b: TokenBatch, horizon: number, completionsPerStep: number, normLength: number): void {
  const scale =
    mode === 'token-sum' ? completionsPerStep : mode === 'seq-mean-token-sum' ? 1 : mode === 'seq-mean-token-sum-norm' ? 1 / normLength : 1 / horizon;
  for (let t = 0; t < b.tokens; t++) b.weight[t] = scale * b.mass[t];
}
