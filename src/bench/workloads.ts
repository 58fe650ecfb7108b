import { equilibriumTable } from '../equilibrium/equilibrium.js';
import { gibbsLogPolicyRow } from '../equilibrium/bandit.js';
import { gibbsSequenceMeasure } from '../equilibrium/sequence.js';
import {
  MD_SUMS,
  finishMirrorDescentKl,
  mirrorDescentChunks,
  mirrorDescentExactKlSums,
  mirrorDescentGuess,
  mirrorDescentKlSums,
  mirrorDescentLogNormalizers,
  mirrorDescentLogSums,
  momentBinsOf,
  sumChunkKl,
  type MirrorDescentKlProblem,
} from '../flows/mirrorDescentKl.js';
import { ORDER, binCentres, binMassSums, binMoments, driftRange, klFromMoments, sumMoments, type MomentBins } from '../flows/mirrorDescentMoments.js';
import { Rng } from '../numerics/rng.js';
import { fastExp } from '../numerics/fastExp.js';
import { OPTIMIZERS } from '../optimizers/registry.js';
import { resolveSettings } from '../optimizers/optimize.js';
import { emptyStepStats } from '../optimizers/pipeline.js';
import type { OptimizerKind } from '../optimizers/settings.js';
import { policyLayout } from '../policies/layout.js';
import { TabularPolicy } from '../policies/tabular.js';
import { automatonWorld, contextualPromptRange, contextualWorld, type BanditWorld, type SequenceWorld } from '../tasks/worlds.js';

/**
 * The four performance workloads of `gibbslab bench` (issue 9): the same work as the peers in the
 * shared bench folder (peer_numpy.py, peer_torch.py, whose definitions are the contract), each
 * through the library's public functions. Inputs come from the library's own seeded generators
 * (the peers use NumPy's), so checksums agree with the peers' in magnitude only; `crosscheck.ts`
 * compares numbers with the straightforward formulas on the same inputs.
 *
 * Each workload is cut into fixed units (τ values, chunks of the row, blocks of prompts) that are
 * computed by `runJob` — in this thread or on worker threads, which see the same typed arrays —
 * and combined in unit order, so the checksum does not depend on the number of threads.
 */
export const WORKLOADS = ['gibbs-sweep', 'mirror-descent', 'grpo-bandit', 'automaton-dp'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface BenchSizes {
  gibbs: { actions: number; taus: number };
  mirror: { actions: number; steps: number; tau: number; eta: number };
  grpo: GrpoSize;
  automaton: { states: number; vocab: number; horizon: number; taus: number };
  seed: number;
}

export interface GrpoSize {
  prompts: number;
  actions: number;
  groupSize: number;
  steps: number;
  /** Prompts per independent block (the unit of parallel work); divides `prompts`. */
  blockPrompts: number;
  seed: number;
}

/** The peers' sizes (the contract). */
export const FULL_SIZES: BenchSizes = {
  gibbs: { actions: 1_000_000, taus: 64 },
  mirror: { actions: 1_000_000, steps: 100, tau: 0.5, eta: 0.1 },
  grpo: { prompts: 256, actions: 1024, groupSize: 16, steps: 100, blockPrompts: 16, seed: 0 },
  automaton: { states: 64, vocab: 4096, horizon: 64, taus: 8 },
  seed: 0,
};

/** Small sizes for tests and smoke runs (same code paths: several chunks, blocks and τ). */
export const QUICK_SIZES: BenchSizes = {
  gibbs: { actions: 20_000, taus: 8 },
  mirror: { actions: 150_000, steps: 10, tau: 0.5, eta: 0.1 },
  grpo: { prompts: 8, actions: 64, groupSize: 4, steps: 5, blockPrompts: 2, seed: 0 },
  automaton: { states: 8, vocab: 32, horizon: 6, taus: 4 },
  seed: 0,
};

/** `count` values log-spaced over [lo, hi], as numpy.logspace. */
export function logSpaced(lo: number, hi: number, count: number): number[] {
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  return Array.from({ length: count }, (_, i) => 10 ** (count === 1 ? a : a + ((b - a) * i) / (count - 1)));
}

/**
 * The one-row inputs of gibbs-sweep and mirror-descent: V actions, log π_ref = log softmax(N(0,1)),
 * rewards Bernoulli(5%) (gibbs-sweep) or N(0,1) (mirror-descent). Drawn in chunks of 65,536
 * actions, each from its own named stream, so that threads draw them side by side and the row is
 * the same bits on any number of threads.
 */
export type RowInputs = 'gibbs-sweep' | 'mirror-descent';

/** Chunk [from, to) of a row: logits into z, rewards into reward. Returns [max z, Σ e^{z − max z}, max reward]. */
function drawRowChunk(kind: RowInputs, seed: number, z: Float64Array, reward: Float64Array, from: number, to: number): [number, number, number] {
  const rng = Rng.fromSeed(seed).split(kind, from);
  let max = -Infinity;
  let maxReward = -Infinity;
  for (let i = from; i < to; i++) {
    z[i] = rng.normal();
    reward[i] = kind === 'gibbs-sweep' ? (rng.uniform() < 0.05 ? 1 : 0) : rng.normal();
    if (z[i] > max) max = z[i];
    if (reward[i] > maxReward) maxReward = reward[i];
  }
  let sum = 0;
  for (let i = from; i < to; i++) sum += fastExp(z[i] - max);
  return [max, sum, maxReward];
}

/** The row's max and log Σ e^{z − max} from its chunks' [max, Σ, max reward], combined in chunk order. */
function combineRowChunks(parts: [number, number, number][]): { max: number; logSum: number; maxReward: number } {
  const max = Math.max(...parts.map((p) => p[0]));
  let sum = 0;
  for (const [m, s] of parts) sum += s * fastExp(m - max);
  return { max, logSum: Math.log(sum), maxReward: Math.max(...parts.map((p) => p[2])) };
}

/** z ← (z − max) − log Σ on [from, to), as logSoftmax (never z − (max + log Σ)). */
function normalizeRowChunk(z: Float64Array, max: number, logSum: number, from: number, to: number): void {
  for (let i = from; i < to; i++) z[i] = z[i] - max - logSum;
}

/** The row drawn in this thread. */
export function rowWorld(kind: RowInputs, actions: number, seed: number): BanditWorld {
  const z = new Float64Array(actions);
  const reward = new Float64Array(actions);
  const chunks = mirrorDescentChunks(actions);
  const r = combineRowChunks(chunks.map(([a, b]) => drawRowChunk(kind, seed, z, reward, a, b)));
  for (const [a, b] of chunks) normalizeRowChunk(z, r.max, r.logSum, a, b);
  return { type: 'bandit', prompts: 1, actions, logRef: z, reward, maxReward: r.maxReward };
}

/** The same row drawn on the executor's threads, into arrays they share. */
async function rowWorldOn(kind: RowInputs, actions: number, seed: number, ex: Executor): Promise<BanditWorld> {
  const z = ex.allocate(actions);
  const reward = ex.allocate(actions);
  const chunks = partition(mirrorDescentChunks(actions), ex.threads);
  const r = combineRowChunks((await ex.run(chunks.map((c) => ({ kind: 'draw-row', row: kind, seed, z, reward, chunks: c })))) as [number, number, number][]);
  await ex.run(chunks.map((c) => ({ kind: 'normalize-row', z, max: r.max, logSum: r.logSum, chunks: c })));
  return { type: 'bandit', prompts: 1, actions, logRef: z, reward, maxReward: r.maxReward };
}

/** P prompts × V actions, reference logits N(0,1), each action correct with probability 2%. */
function grpoBanditTask(s: GrpoSize) {
  return { kind: 'contextual' as const, prompts: s.prompts, vocab: s.actions, correctFraction: 0.02, refScale: 1, seed: s.seed };
}

export function grpoBanditWorld(s: GrpoSize): BanditWorld {
  return contextualWorld(grpoBanditTask(s));
}

/** The prompts of one GRPO block, generated where the block runs (the rows of `grpoBanditWorld`). */
export function grpoBlockWorld(s: GrpoSize, block: number): BanditWorld {
  return contextualPromptRange(grpoBanditTask(s), block * s.blockPrompts, (block + 1) * s.blockPrompts);
}

/** S states × V tokens (uniform next states, N(0,1) reference logits), horizon L, 10% accepting states. */
export function automatonDpWorld(s: BenchSizes['automaton'], seed: number): SequenceWorld {
  return automatonWorld({ kind: 'automaton', states: s.states, vocab: s.vocab, horizon: s.horizon, acceptFraction: 0.1, seed, start: 0 });
}

/**
 * One block of GRPO prompts. The library's GRPO (group mean/std advantages, ratio 1 with one
 * epoch) with the peers' hyperparameters: G, β = 0.05 with the reference KL in the loss, Adam
 * (lr 0.05, torch defaults), ε = 1e-6 on the group std. The KL gradient is the library's `k3+`
 * (value k3, gradient the exact ∇KL(π‖π_ref) in expectation) where the peers differentiate the
 * exact KL.
 *
 * Prompts do not interact in a tabular policy: with `token-sum` aggregation every prompt's
 * gradient is its own, Adam is per logit, and each group's advantages are its own. So the prompts
 * run in independent blocks (each with its own named random stream), whose arrays stay in cache
 * through all steps, and which threads share out. Returns the final policy of the block's prompts
 * and the batch KL estimate of every step (what the optimizer reports anyway).
 */
export function runGrpoBlock(
  slice: BanditWorld,
  s: GrpoSize,
  block: number,
  optimizerKind: OptimizerKind = 'adam',
): { policy: TabularPolicy; klEstimate: number[] } {
  const settings = resolveSettings('grpo', {
    optimizerKind,
    groupSize: s.groupSize,
    beta: 0.05,
    klIn: 'loss',
    klEstimator: 'k3+',
    lr: 0.05,
    stdEps: 1e-6,
    lossAggMode: 'token-sum',
  });
  const layout = policyLayout(slice);
  const policy = TabularPolicy.start(layout, 'ref');
  const optimizer = OPTIMIZERS.grpo.create(layout, settings);
  const root = Rng.fromSeed(s.seed).split('grpo-bandit', block);
  const stats = emptyStepStats();
  const klEstimate: number[] = [];
  for (let k = 1; k <= s.steps; k++) {
    optimizer.step(policy, root.split('step', k), stats);
    klEstimate.push(stats.refKlEstimate);
  }
  return { policy, klEstimate };
}

/** A block's checksum: Σ over steps of the KL estimate plus the final expected reward (mean over the block's prompts); inputs generated here. */
export function grpoBanditBlock(s: GrpoSize, block: number): number {
  const slice = grpoBlockWorld(s, block);
  const { policy, klEstimate } = runGrpoBlock(slice, s, block);
  let er = 0;
  for (let e = 0; e < slice.logRef.length; e++) er += policy.prob[e] * slice.reward[e];
  return klEstimate.reduce((a, b) => a + b, 0) + er / slice.prompts;
}

/** A unit list for one thread: what it computes, on which (shared) inputs. Results come back per unit, in order. */
export type Job =
  | { kind: 'draw-row'; row: RowInputs; seed: number; z: Float64Array; reward: Float64Array; chunks: [number, number][] }
  | { kind: 'normalize-row'; z: Float64Array; max: number; logSum: number; chunks: [number, number][] }
  | { kind: 'gibbs'; world: BanditWorld; taus: number[] }
  | { kind: 'md-range'; problem: MirrorDescentKlProblem; chunks: [number, number][] }
  | { kind: 'md-mass'; problem: MirrorDescentKlProblem; layout: MomentBins; chunks: [number, number][] }
  | { kind: 'md-moments'; problem: MirrorDescentKlProblem; layout: MomentBins; centre: Float64Array; chunks: [number, number][] }
  | { kind: 'md-sums'; problem: MirrorDescentKlProblem; guess: Float64Array; chunks: [number, number][] }
  | { kind: 'md-logsums'; problem: MirrorDescentKlProblem; chunks: [number, number][] }
  | { kind: 'md-exact'; problem: MirrorDescentKlProblem; logNorm: Float64Array; chunks: [number, number][] }
  | { kind: 'grpo'; size: GrpoSize; blocks: number[] }
  | { kind: 'automaton'; world: SequenceWorld; taus: number[] };

/** Computes a job's units, in order. Pure: the same in any thread. */
export function runJob(job: Job): unknown[] {
  switch (job.kind) {
    case 'draw-row':
      return job.chunks.map(([a, b]) => drawRowChunk(job.row, job.seed, job.z, job.reward, a, b));
    case 'normalize-row':
      return job.chunks.map(([a, b]) => normalizeRowChunk(job.z, job.max, job.logSum, a, b));
    case 'gibbs': {
      const t = equilibriumTable(job.world, job.taus);
      return job.taus.map((_, k) => t.logZ[k] + t.expectedReward[k] + t.refKl[k] + t.entropy[k]);
    }
    case 'md-range':
      return job.chunks.map(([a, b]) => driftRange(job.problem, a, b));
    case 'md-mass':
      return job.chunks.map(([a, b]) => {
        const s = new Float64Array(2 * job.layout.bins + 1);
        binMassSums(job.problem, job.layout, a, b, s);
        return s;
      });
    case 'md-moments':
      return job.chunks.map(([a, b]) => {
        const s = new Float64Array((ORDER + 1) * job.layout.bins);
        binMoments(job.problem, job.layout, job.centre, a, b, s);
        return s;
      });
    case 'md-sums':
      return job.chunks.map(([a, b]) => {
        const s = new Float64Array(MD_SUMS * (job.problem.steps + 1));
        mirrorDescentKlSums(job.problem, job.guess, a, b, s);
        return s;
      });
    case 'md-logsums':
      return job.chunks.map(([a, b]) => {
        const q = { max: new Float64Array(job.problem.steps + 1), sum: new Float64Array(job.problem.steps + 1) };
        mirrorDescentLogSums(job.problem, a, b, 1, q.max, q.sum);
        return q;
      });
    case 'md-exact':
      return job.chunks.map(([a, b]) => {
        const kl = new Float64Array(job.problem.steps + 1);
        mirrorDescentExactKlSums(job.problem, job.logNorm, a, b, kl);
        return kl;
      });
    case 'grpo':
      return job.blocks.map((b) => grpoBanditBlock(job.size, b));
    case 'automaton':
      return job.taus.map((tau) => gibbsSequenceMeasure(job.world, tau).logZ);
  }
}

/**
 * Runs one job per thread and returns their unit results concatenated in job order. `threads` is
 * how many jobs to cut the units into.
 */
export interface Executor {
  threads: number;
  run(jobs: Job[]): Promise<unknown[]>;
  /** Typed arrays the threads can all read (SharedArrayBuffer-backed on worker threads). */
  share<T extends Float64Array | Int32Array>(a: T): T;
  /** A zeroed array the threads can all read and write. */
  allocate(n: number): Float64Array;
}

/** `items` cut into `parts` contiguous runs (some empty when there are fewer items). */
export function partition<T>(items: readonly T[], parts: number): T[][] {
  return Array.from({ length: parts }, (_, p) => items.slice(Math.floor((p * items.length) / parts), Math.floor(((p + 1) * items.length) / parts)));
}


const sum = (xs: unknown[]) => (xs as number[]).reduce((a, b) => a + b, 0);

/**
 * One run of a workload, inputs included (as the peers time it). Returns its checksum:
 * - gibbs-sweep: Σ over τ of log Z + E[r] + KL(π*‖π_ref) + H(π*) (the peers' sum);
 * - mirror-descent: Σ_{k=1..steps} KL(π_k‖π*_τ);
 * - grpo-bandit: the mean over blocks of `grpoBanditBlock` (the peers sum sampled rewards: a
 *   different statistic of the same run);
 * - automaton-dp: Σ over τ of log Z_τ = W_0(start), as the peers.
 */
export async function runWorkload(name: WorkloadName, s: BenchSizes, ex: Executor): Promise<number> {
  const T = ex.threads;
  switch (name) {
    case 'gibbs-sweep': {
      const world = await rowWorldOn('gibbs-sweep', s.gibbs.actions, s.seed, ex);
      const taus = logSpaced(1e-2, 1e2, s.gibbs.taus);
      return sum(await ex.run(partition(taus, T).map((part) => ({ kind: 'gibbs', world, taus: part }))));
    }
    case 'mirror-descent': {
      const { actions, steps, tau, eta } = s.mirror;
      const w = await rowWorldOn('mirror-descent', actions, s.seed, ex);
      const logStar = gibbsLogPolicyRow(w.logRef, w.reward, tau);
      const problem: MirrorDescentKlProblem = { logPi0: w.logRef, logRef: w.logRef, reward: w.reward, logStar: ex.share(logStar), tau, eta, steps };
      const chunks = partition(mirrorDescentChunks(actions), T);
      const moments = await mirrorDescentMomentsOn(problem, chunks, ex);
      if (moments) return sum(Array.from(moments.subarray(1)));
      const guess = mirrorDescentGuess(problem);
      const fast = finishMirrorDescentKl((await ex.run(chunks.map((c) => ({ kind: 'md-sums', problem, guess, chunks: c })))) as Float64Array[], steps);
      let kl: Float64Array;
      if (fast) kl = fast.kl;
      else {
        const sums = (await ex.run(chunks.map((c) => ({ kind: 'md-logsums', problem, chunks: c })))) as { max: Float64Array; sum: Float64Array }[];
        const logNorm = mirrorDescentLogNormalizers(sums, steps);
        kl = sumChunkKl((await ex.run(chunks.map((c) => ({ kind: 'md-exact', problem, logNorm, chunks: c })))) as Float64Array[], steps);
      }
      return sum(Array.from(kl.subarray(1)));
    }
    case 'grpo-bandit': {
      const size = { ...s.grpo, seed: s.seed };
      // Each thread generates its blocks' prompts (each prompt has its own stream: the same inputs).
      const blocks = Array.from({ length: size.prompts / size.blockPrompts }, (_, b) => b);
      const per = await ex.run(partition(blocks, T).map((part) => ({ kind: 'grpo', size, blocks: part })));
      return sum(per) / blocks.length;
    }
    case 'automaton-dp': {
      const w = automatonDpWorld(s.automaton, s.seed);
      const world: SequenceWorld = {
        ...w,
        arcOffset: ex.share(w.arcOffset),
        arcNext: ex.share(w.arcNext),
        arcLogRef: ex.share(w.arcLogRef),
        arcLogMult: ex.share(w.arcLogMult),
        terminalReward: ex.share(w.terminalReward),
      };
      const taus = logSpaced(0.1, 10, s.automaton.taus);
      return sum(await ex.run(partition(taus, T).map((part) => ({ kind: 'automaton', world, taus: part }))));
    }
  }
}

/** The binned-moments form of the KL trace (as `mirrorDescentKlMoments`) with its passes shared out; null where it does not apply. */
async function mirrorDescentMomentsOn(problem: MirrorDescentKlProblem, chunks: [number, number][][], ex: Executor): Promise<Float64Array | null> {
  const c = 1 - problem.eta * problem.tau;
  if (!(Math.abs(c) <= 1)) return null;
  const ranges = (await ex.run(chunks.map((part) => ({ kind: 'md-range', problem, chunks: part })))) as [number, number][];
  const layout = momentBinsOf(ranges, problem.logRef.length);
  if (!layout) return null;
  const mass = (await ex.run(chunks.map((part) => ({ kind: 'md-mass', problem, layout, chunks: part })))) as Float64Array[];
  const { centre, zeroMass } = binCentres(layout, mass);
  const mom = sumMoments(layout, (await ex.run(chunks.map((part) => ({ kind: 'md-moments', problem, layout, centre, chunks: part })))) as Float64Array[]);
  return klFromMoments(centre, mom, zeroMass, c, problem.steps)?.kl ?? null;
}

/** Runs jobs in this thread. */
export const inlineExecutor: Executor = {
  threads: 1,
  run: async (jobs) => jobs.flatMap(runJob),
  share: (a) => a,
  allocate: (n) => new Float64Array(n),
};
