import { z } from 'zod';
import { tokenQuota } from '../entropy/covariance.js';
import { randomPick, selectTop, selectTopMass, sortTop, type SelectionCounter } from '../entropy/selection.js';
import { Rng } from '../numerics/rng.js';
import { lineChart, type Row } from '../report/specs.js';
import { check, type Experiment, type Verdict } from './types.js';

const SRC = 'Hoare 1961 (FIND); Musser 1997 (introselect); verl compute_policy_loss_kl_cov (torch.topk), clip_cov (randperm) — ANCHORS §3.3–3.4';

const configSchema = z
  .object({
    sizes: z.array(z.number().int().min(100).max(10_000_000)).min(3).describe('token counts N of a selection scope'),
    ratio: z.number().gt(0).max(1).describe('kl_cov_ratio: k = max(⌊ratio·N⌋, 1) tokens selected'),
    repeats: z.number().int().min(1).max(100).describe('timing repeats per size (the median is reported)'),
    seed: z.number().int(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

/** Least-squares slope of log y on log x. */
function logLogSlope(x: number[], y: number[]): number {
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/** Median wall time (ms) of `f` over `repeats` runs, each on a fresh copy of the index array. */
function timeIt(repeats: number, n: number, f: (idx: Int32Array) => void): number {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    const t0 = performance.now();
    f(idx);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

/** Comparisons per token a linear selection stays under (the expectation is ≈ 2–3 with median-of-three pivots; the sort's grow past 8 at N = 1000). */
const SELECT_BOUND = 4;

export const selectionCost: Experiment<Config> = {
  id: 'selection-cost',
  title: 'Cost of the covariance controls’ selection: quickselect O(N) vs a full sort O(N log N)',
  question: 'How does the cost of selecting KL-Cov’s top-k (and Clip-Cov’s random pick) grow with the number of tokens N in a selection scope, for quickselect against a full sort?',
  source: SRC,
  claim:
    'KL-Cov needs the k tokens with the largest covariance score, not their order: a selection algorithm finds them in expected O(N) comparisons, a sort costs O(N log N); Clip-Cov’s uniform pick of n candidates costs O(n) draws after an O(N) pass. The comparison counts are exact and machine-independent; the wall times are measurements, reported only.',
  configSchema,
  sizes: {
    quick: { sizes: [1000, 3000, 10_000, 30_000, 100_000], ratio: 2e-3, repeats: 3, seed: 1 },
    full: { sizes: [1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000], ratio: 2e-3, repeats: 5, seed: 1 },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    const countRows: Row[] = [];
    const timeRows: Row[] = [];
    const rows: (string | number)[][] = [];
    const selectCounts: number[] = [];
    const sortCounts: number[] = [];
    let allEqual = true;
    c.sizes.forEach((n, i) => {
      ctx.signal?.throwIfAborted();
      const rng = Rng.fromSeed(c.seed).split('scores', n);
      const scores = Float64Array.from({ length: n }, () => rng.normal());
      const weights = Float64Array.from({ length: n }, () => rng.uniform());
      const k = tokenQuota(c.ratio, n);
      const a: SelectionCounter = { comparisons: 0 };
      const b: SelectionCounter = { comparisons: 0 };
      const idxA = Int32Array.from({ length: n }, (_, j) => j);
      const idxB = Int32Array.from(idxA);
      selectTop(scores, idxA, n, k, a);
      sortTop(scores, idxB, n, k, b);
      const top = (idx: Int32Array) => Array.from(idx.subarray(0, k), (j) => scores[j]).sort((x, y) => x - y);
      const ta = top(idxA);
      const tb = top(idxB);
      if (ta.some((v, j) => v !== tb[j])) allEqual = false;
      selectCounts.push(a.comparisons);
      sortCounts.push(b.comparisons);
      const tSelect = timeIt(c.repeats, n, (idx) => selectTop(scores, idx, n, k));
      const tSort = timeIt(c.repeats, n, (idx) => sortTop(scores, idx, n, k));
      let total = 0;
      for (const w of weights) total += w;
      const tMass = timeIt(c.repeats, n, (idx) => selectTopMass(scores, weights, idx, n, c.ratio * total));
      const pickRng = Rng.fromSeed(c.seed).split('pick', n);
      const tPick = timeIt(c.repeats, n, (idx) => randomPick(idx, n, k, pickRng));
      countRows.push({ N: n, perToken: a.comparisons / n, series: 'quickselect top-k' }, { N: n, perToken: b.comparisons / n, series: 'full sort' });
      const ns = (ms: number) => (ms * 1e6) / n;
      timeRows.push(
        { N: n, ns: ns(tSelect), series: 'quickselect top-k (KL-Cov)' },
        { N: n, ns: ns(tSort), series: 'full sort' },
        { N: n, ns: ns(tMass), series: 'weighted top mass (exact mode)' },
        { N: n, ns: ns(tPick), series: 'random pick of k (Clip-Cov)' },
      );
      rows.push([n, k, a.comparisons / n, b.comparisons / n, b.comparisons / (n * Math.log2(n)), tSelect, tSort, tMass, tPick]);
      ctx.onProgress?.(i + 1, c.sizes.length);
    });
    const selectSlope = logLogSlope(c.sizes, selectCounts);
    const selectPerToken = Math.max(...c.sizes.map((n, i) => selectCounts[i] / n));
    const sortPerNLogN = c.sizes.map((n, i) => sortCounts[i] / (n * Math.log2(n)));
    verdicts.push(
      check('quickselect returns the same top-k as the sort at every N (the k largest scores)', 'selection vs sort', allEqual, 1, allEqual ? 1 : 0),
      check(
        `quickselect’s comparisons stay linear in N: at most ${SELECT_BOUND} per token at every N = ${c.sizes[0]}…${c.sizes[c.sizes.length - 1]} (max over N; log–log slope ${selectSlope.toFixed(2)})`,
        'Hoare 1961; Knuth TAOCP §5.3.3: ≈ 2N expected for k ≪ N',
        selectPerToken <= SELECT_BOUND,
        SELECT_BOUND,
        selectPerToken,
      ),
      check(
        'the sort’s comparisons grow as N·log2 N (comparisons / (N·log2 N) within [0.5, 1.5] at every N) — more per token as N grows',
        'comparison sorting: Θ(N log N)',
        sortPerNLogN.every((r) => r >= 0.5 && r <= 1.5) && sortCounts[sortCounts.length - 1] / c.sizes[c.sizes.length - 1] > sortCounts[0] / c.sizes[0],
        1,
        sortPerNLogN[sortPerNLogN.length - 1],
        0.5,
      ),
    );
    return {
      verdicts,
      plots: [
        lineChart({ id: 'selection-cost-comparisons', title: 'Comparisons per token: quickselect (flat: O(N)) vs a full sort (growing: O(N log N))', rows: countRows, x: 'N', y: 'perToken', series: 'series', logX: true, points: true, xTitle: 'tokens N in the selection scope', yTitle: 'comparisons / N' }),
        lineChart({ id: 'selection-cost-time', title: 'Measured time per token (median of repeats; this machine, reported only)', rows: timeRows, x: 'N', y: 'ns', series: 'series', logX: true, logY: true, points: true, xTitle: 'tokens N', yTitle: 'ns per token', legendLabelLimit: 320 }),
      ],
      tables: [
        {
          title: `Selection cost per scope of N tokens (k = max(⌊${c.ratio}·N⌋, 1)); times in ms, median of ${c.repeats}`,
          columns: ['N', 'k', 'quickselect comparisons / N', 'sort comparisons / N', 'sort comparisons / (N·log2 N)', 'quickselect ms', 'sort ms', 'weighted top mass ms', 'random pick ms'],
          rows,
        },
      ],
      notes: [
        'Scores are N(0,1) from the library Rng; the sort is the engine’s comparison sort (TimSort in V8) on the index array, the reference the selection is checked against.',
        'Timings depend on the machine and the JIT; the comparison counts do not, which is why only they carry verdicts.',
      ],
    };
  },
};
