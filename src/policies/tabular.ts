import { fastExp } from '../numerics/fastExp.js';
import type { PolicyLayout } from './layout.js';

/** Where a policy starts: the reference, or uniform over the reference support. */
export type PolicyStart = 'ref' | 'uniform';

/**
 * A tabular softmax policy: free logits per entry, log-probabilities kept normalized per row.
 *
 * `logp` is the log-probability of one token of the entry (the primary representation; −∞ off the
 * support); `prob` is the probability of taking the entry (its multiplicity times the token's), the
 * weight every expectation, sampler and gradient uses.
 */
export class TabularPolicy {
  readonly logits: Float64Array;
  readonly logp: Float64Array;
  readonly prob: Float64Array;
  /**
   * Changes whenever the arrays do through `normalize`, `copyFrom` or `changed` (the contract: write
   * `logits`, then `normalize`), so a holder of a copy can tell whether it is still current.
   */
  version = 0;

  constructor(
    readonly layout: PolicyLayout,
    logits: Float64Array,
  ) {
    this.logits = logits;
    this.logp = new Float64Array(layout.entries);
    this.prob = new Float64Array(layout.entries);
    this.normalize();
  }

  /** π_0 = π_ref (logits = log π_ref), or uniform over the reference support (logit 0 there, −∞ elsewhere). */
  static start(layout: PolicyLayout, from: PolicyStart = 'ref'): TabularPolicy {
    const z = Float64Array.from(layout.logRef);
    if (from === 'uniform') for (let i = 0; i < z.length; i++) if (z[i] !== -Infinity) z[i] = 0;
    return new TabularPolicy(layout, z);
  }

  clone(): TabularPolicy {
    return new TabularPolicy(this.layout, Float64Array.from(this.logits));
  }

  /** Copies another policy of the same layout (logits and derived arrays). */
  copyFrom(other: TabularPolicy): void {
    this.logits.set(other.logits);
    this.logp.set(other.logp);
    this.prob.set(other.prob);
    this.version++;
  }

  /** Records that the arrays were set from outside, consistently (logp and prob those of logits). */
  changed(): void {
    this.version++;
  }

  /** Recomputes `logp` and `prob` from `logits` (log-sum-exp per row, multiplicities included). */
  normalize(): void {
    this.version++;
    const { rowOffset, logMult, rows } = this.layout;
    const z = this.logits;
    const { prob, logp } = this;
    // The entries' log-weights: the logits, or logit + log mult written into `prob` first (a pass
    // per case, not a test per entry).
    const w = logMult ? prob : z;
    for (let r = 0; r < rows; r++) {
      const a = rowOffset[r];
      const b = rowOffset[r + 1];
      if (logMult) for (let i = a; i < b; i++) prob[i] = z[i] + logMult[i];
      let max = -Infinity;
      for (let i = a; i < b; i++) if (w[i] > max) max = w[i];
      // One exponential per entry: the unnormalized weights are kept in `prob` and divided by their sum.
      let sum = 0;
      for (let i = a; i < b; i++) {
        const u = fastExp(w[i] - max);
        prob[i] = u;
        sum += u;
      }
      const lz = max + Math.log(sum);
      const inv = 1 / sum;
      for (let i = a; i < b; i++) {
        logp[i] = z[i] - lz;
        prob[i] *= inv;
      }
    }
  }
}
