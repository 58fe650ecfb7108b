import { fastExp } from '../numerics/fastExp.js';
import { Rng } from '../numerics/rng.js';
import type { BenchSizes, WorkloadName } from './workloads.js';

/**
 * `gibbslab bench --floors`: the machine's rates, measured here on one thread, and each workload's
 * physical floor — the time its unavoidable work takes at those rates. Two floors per workload:
 * the peers' formulation (what a vectorized script must do: every exponential and every byte of
 * it) and ours (the work our algorithm does: e.g. one pass for a whole τ sweep). The floor is the
 * larger of bytes / bandwidth and exponentials / exp rate (plus the inputs' random draws), divided
 * by the cores for the compute part (exponentials split over threads; bandwidth is shared) and for
 * the draws where our threads draw their own share of the inputs.
 */

export interface MachineRates {
  /** Streaming read bandwidth of one thread over an array far larger than the caches, bytes/s. */
  readBandwidth: number;
  /** fastExp throughput of one thread on cache-resident data, per second. */
  expRate: number;
  /** Standard normals per second of one thread (the inputs' draws, `Rng.normal`). */
  normalRate: number;
}

/** Best of `repeat` timings of f (seconds). */
function best(f: () => void, repeat = 5): number {
  let t = Infinity;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

/** Measures the rates (about a second). The sums feed a sink so the loops are not removed. */
export function measureRates(): MachineRates {
  let sink = 0;
  const big = new Float64Array(32 << 20).fill(1); // 256 MB
  const read = best(() => {
    let s = 0;
    for (let i = 0; i < big.length; i++) s += big[i];
    sink += s;
  }, 3);
  const small = Float64Array.from({ length: 4096 }, (_, i) => -i / 512);
  const exps = best(() => {
    let s = 0;
    for (let r = 0; r < 2000; r++) for (let i = 0; i < small.length; i++) s += fastExp(small[i]);
    sink += s;
  });
  const rng = Rng.fromSeed(1);
  const normals = best(() => {
    let s = 0;
    for (let i = 0; i < 1_000_000; i++) s += rng.normal();
    sink += s;
  });
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return { readBandwidth: big.byteLength / read, expRate: (2000 * small.length) / exps, normalRate: 1_000_000 / normals };
}

/** The unavoidable work of one run of a workload. */
export interface Work {
  exps: number;
  bytes: number;
  /** Standard normals (or uniforms, counted alike) for the inputs. */
  draws: number;
  /** Whether the draws split over the threads (ours, where each thread draws its share of the inputs). */
  drawsSplit?: boolean;
}

/** The peers' formulation and ours, per workload (counts from the definitions in peer_numpy.py). */
export function workloadWork(name: WorkloadName, s: BenchSizes): { peers: Work; ours: Work } {
  switch (name) {
    case 'gibbs-sweep': {
      const { actions: V, taus: T } = s.gibbs;
      const draws = 2 * V;
      // Peers: per τ, exp over the row and three dot products over (s, r, log π): 3 arrays of 8 bytes.
      // Ours: the reference's log-softmax and one pass of per-reward-value sums (log π_ref, r), for all τ.
      return { peers: { exps: T * V + V, bytes: T * 3 * 8 * V, draws }, ours: { exps: 2 * V, bytes: 2 * 16 * V, draws, drawsSplit: true } };
    }
    case 'mirror-descent': {
      const { actions: V, steps: K } = s.mirror;
      // Peers: per step, the iterate's exp and the KL dot over (l, r, l_ref, l*). Ours: the Gibbs row,
      // then two passes over (log π_0, log π*) for the binned moments, one exponential per pass.
      return { peers: { exps: K * V + 2 * V, bytes: K * 4 * 8 * V, draws: 2 * V }, ours: { exps: 4 * V, bytes: 5 * 16 * V, draws: 2 * V, drawsSplit: true } };
    }
    case 'grpo-bandit': {
      const { prompts: P, actions: V, steps: K } = s.grpo;
      const n = P * V;
      // Both: per step, a softmax (one exp per logit) and an Adam update over logits, m, v and the
      // gradient (read and written); the blocks keep ours in cache, so its bytes are the inputs once.
      return { peers: { exps: K * n, bytes: K * 7 * 8 * n, draws: 2 * n }, ours: { exps: K * n, bytes: 3 * 8 * n, draws: 2 * n, drawsSplit: true } };
    }
    case 'automaton-dp': {
      const { states: S, vocab: V, horizon: L, taus: T } = s.automaton;
      // Peers: per τ and step, exp over the S×V table of log π_ref + W[δ] (and the gather). Ours: the
      // same recursion over arcs merged by next state (at most S·S of them instead of S·V).
      return {
        peers: { exps: T * L * S * V, bytes: T * L * S * V * 8 * 3, draws: 2 * S * V },
        ours: { exps: T * L * S * Math.min(S, V), bytes: S * V * 8 * 2, draws: 2 * S * V },
      };
    }
  }
}

/** The floor of a work at the rates, on `cores` threads (seconds). */
export function floorSeconds(w: Work, r: MachineRates, cores: number): number {
  return Math.max(w.bytes / r.readBandwidth, w.exps / (r.expRate * cores)) + w.draws / (r.normalRate * (w.drawsSplit ? cores : 1));
}
