import type { Rng } from '../numerics/rng.js';
import { buildCdfFromWeights, sampleCdf, sampleMany, sampleMany4 } from '../numerics/sampling.js';
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
 * Draws completions from a tabular policy. One-token completions (bandits) draw the groups of four
 * prompts in one scan of their rows (`sampleMany4`); longer ones walk rows, each with a cumulative table
 * (src/numerics/sampling.ts) built the first time a draw visits it after `prepare`, then one binary
 * search per token. Both give the draws of a table over every row searched per token.
 */
export class Sampler {
  private readonly cdf: Float64Array<ArrayBuffer>;
  private readonly views: Float64Array<ArrayBuffer>[];
  /** The `prepare` call each row's table was built for. */
  private readonly builtAt: Int32Array;
  private generation = 0;
  private prob: Float64Array = new Float64Array(0);
  private u = new Float64Array(16);
  private picks = new Int32Array(16);
  private order = new Int32Array(16);

  constructor(private readonly layout: PolicyLayout) {
    const oneToken = layout.next === null;
    this.cdf = new Float64Array(oneToken ? 0 : layout.entries);
    this.views = oneToken ? [] : Array.from({ length: layout.rows }, (_, r) => this.cdf.subarray(layout.rowOffset[r], layout.rowOffset[r + 1]));
    this.builtAt = new Int32Array(oneToken ? 0 : layout.rows);
  }

  /** Draws from π from now on; call after every policy change and before sampling. */
  prepare(policy: TabularPolicy): void {
    // `prob` is the probability of taking the entry (multiplicity included): no exponential here.
    this.prob = policy.prob;
    this.generation++;
  }

  /**
   * Appends G completions of each prompt x < P to `batch`, prompt by prompt, drawn from
   * `stream(x)` (the caller names the streams, e.g. `stepRng.split('prompt', x)`, so prompt x's
   * draws do not depend on the other prompts).
   */
  sampleGroups(P: number, G: number, stream: (x: number) => Rng, batch: CompletionBatch): void {
    batch.reserve(P * G, P * G * this.layout.horizon);
    if (this.layout.next !== null) {
      for (let x = 0; x < P; x++) this.walk(x, G, stream(x), batch);
      return;
    }
    if (this.u.length < 4 * G) {
      this.u = new Float64Array(4 * G);
      this.picks = new Int32Array(4 * G);
      this.order = new Int32Array(4 * G);
    }
    const { u, picks, order, prob } = this;
    const { startRows, rowOffset } = this.layout;
    const start = (x: number) => rowOffset[startRows[x]];
    let x = 0;
    // Bandit rows all have the same length: four prompts per scan.
    for (; x + 4 <= P; x += 4) {
      for (let r = 0; r < 4; r++) {
        const rng = stream(x + r);
        for (let g = 0; g < G; g++) u[r * G + g] = rng.uniform();
      }
      const n = rowOffset[startRows[x] + 1] - start(x);
      sampleMany4(prob, start(x), start(x + 1), start(x + 2), start(x + 3), n, u, G, picks, order);
      this.emit(x, 4, G, batch);
    }
    for (; x < P; x++) {
      const rng = stream(x);
      for (let g = 0; g < G; g++) u[g] = rng.uniform();
      sampleMany(prob, start(x), rowOffset[startRows[x] + 1], u, G, picks, order);
      this.emit(x, 1, G, batch);
    }
  }

  /** One-token completions of prompts x .. x + count − 1 from `picks`. */
  private emit(x: number, count: number, G: number, batch: CompletionBatch): void {
    const { reward } = this.layout;
    for (let k = 0; k < count * G; k++) {
      const i = batch.completions;
      batch.prompt[i] = x + Math.floor(k / G);
      batch.tokenStart[i] = batch.tokens;
      batch.entry[batch.tokens++] = this.picks[k];
      batch.score[i] = 0 + reward[this.picks[k]]; // as the walk sums it (a −0 reward scores +0)
      batch.completions++;
      batch.tokenStart[batch.completions] = batch.tokens;
    }
  }

  /** G completions of prompt x, token by token along the rows they visit. */
  private walk(x: number, G: number, rng: Rng, batch: CompletionBatch): void {
    const { startRows, next, reward, rowOffset } = this.layout;
    for (let g = 0; g < G; g++) {
      const i = batch.completions;
      batch.prompt[i] = x;
      batch.tokenStart[i] = batch.tokens;
      let row = startRows[x];
      let score = 0;
      for (;;) {
        const view = this.views[row];
        if (this.builtAt[row] !== this.generation) {
          buildCdfFromWeights(this.prob, view, rowOffset[row], rowOffset[row + 1]);
          this.builtAt[row] = this.generation;
        }
        const e = rowOffset[row] + sampleCdf(view, rng.uniform(), view.length);
        batch.entry[batch.tokens++] = e;
        score += reward[e];
        const n = next![e];
        if (n < 0) break;
        row = n;
      }
      batch.score[i] = score;
      batch.completions++;
      batch.tokenStart[batch.completions] = batch.tokens;
    }
  }
}
