import type { Rng } from '../numerics/rng.js';
import { buildCdfFromWeights, sampleCdf } from '../numerics/sampling.js';
import type { PolicyLayout } from './layout.js';
import type { TabularPolicy } from './tabular.js';

/**
 * Sampled completions, flat: completion i has prompt `prompt[i]`, tokens (policy entries)
 * `entry[tokenStart[i] .. tokenStart[i+1])` and task reward `score[i]`. Groups of G completions of
 * one prompt are contiguous. Buffers grow geometrically and are reused across steps.
 */
export class CompletionBatch {
  completions = 0;
  tokens = 0;
  prompt = new Int32Array(16);
  tokenStart = new Int32Array(17);
  entry = new Int32Array(16);
  score = new Float64Array(16);

  clear(): void {
    this.completions = 0;
    this.tokens = 0;
  }

  /** Room for `completions` more completions of at most `tokens` more tokens. */
  reserve(completions: number, tokens: number): void {
    const c = this.completions + completions;
    if (c > this.prompt.length) {
      const n = Math.max(c, 2 * this.prompt.length);
      this.prompt = grow(this.prompt, n);
      this.score = grow(this.score, n);
      this.tokenStart = grow(this.tokenStart, n + 1);
    }
    const t = this.tokens + tokens;
    if (t > this.entry.length) this.entry = grow(this.entry, Math.max(t, 2 * this.entry.length));
  }

  /** Keeps completions [0, from) and moves [from + count, completions) down over the removed ones. */
  remove(from: number, count: number): void {
    const t0 = this.tokenStart[from];
    const t1 = this.tokenStart[from + count];
    const dt = t1 - t0;
    this.entry.copyWithin(t0, t1, this.tokens);
    this.prompt.copyWithin(from, from + count, this.completions);
    this.score.copyWithin(from, from + count, this.completions);
    for (let i = from; i + count <= this.completions; i++) this.tokenStart[i] = this.tokenStart[i + count] - dt;
    this.completions -= count;
    this.tokens -= dt;
  }
}

function grow<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

/**
 * Draws completions from a tabular policy: per row a cumulative table (src/numerics/sampling.ts),
 * built once per policy, then one binary search per token.
 */
export class Sampler {
  private readonly cdf: Float64Array<ArrayBuffer>;
  private readonly views: Float64Array<ArrayBuffer>[];

  constructor(private readonly layout: PolicyLayout) {
    this.cdf = new Float64Array(layout.entries);
    this.views = Array.from({ length: layout.rows }, (_, r) => this.cdf.subarray(layout.rowOffset[r], layout.rowOffset[r + 1]));
  }

  /** Builds the tables of π; call after every policy change and before sampling. */
  prepare(policy: TabularPolicy): void {
    const { rows, rowOffset } = this.layout;
    // `prob` is the probability of taking the entry (multiplicity included): no exponential here.
    for (let r = 0; r < rows; r++) buildCdfFromWeights(policy.prob, this.views[r], rowOffset[r], rowOffset[r + 1]);
  }

  /**
   * Appends G completions of prompt x to `batch`, drawn from `rng` (the caller names the stream,
   * e.g. `stepRng.split('prompt', x)`, so prompt x's draws do not depend on the other prompts).
   */
  sampleGroup(x: number, G: number, rng: Rng, batch: CompletionBatch): void {
    const { startRows, next, reward, rowOffset, horizon } = this.layout;
    batch.reserve(G, G * horizon);
    for (let g = 0; g < G; g++) {
      const i = batch.completions;
      batch.prompt[i] = x;
      batch.tokenStart[i] = batch.tokens;
      let row = startRows[x];
      let score = 0;
      for (;;) {
        const view = this.views[row];
        const e = rowOffset[row] + sampleCdf(view, rng.uniform(), view.length);
        batch.entry[batch.tokens++] = e;
        score += reward[e];
        const n = next === null ? -1 : next[e];
        if (n < 0) break;
        row = n;
      }
      batch.score[i] = score;
      batch.completions++;
      batch.tokenStart[batch.completions] = batch.tokens;
    }
  }
}
