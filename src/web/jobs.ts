import { analyzeChain, type ChainAnalysis } from '../ebm/analysis.js';
import { stationaryDistribution, tunedChain } from '../ebm/chain.js';
import { denseSpectrum, symmetrize } from '../ebm/spectrum.js';
import { binaryCriticalTemperature, chainCriticalLimit, chainCriticalTemperature, criticalTemperature } from '../equilibrium/critical.js';
import { equilibriumTable, type EquilibriumTable } from '../equilibrium/equilibrium.js';
import { logSpace } from '../experiments/grid.js';
import { findExperiment, runExperiment } from '../experiments/registry.js';
import type { ExperimentResult, RunContext } from '../experiments/types.js';
import { mirrorDescentFlow } from '../flows/mirrorDescent.js';
import { replicatorFlow } from '../flows/replicator.js';
import type { FlowStart, FlowTrace } from '../flows/trace.js';
import { parseOrThrow, UsageError } from '../io/errors.js';
import { optimize, resolveSettings, type OptimizeResult } from '../optimizers/optimize.js';
import type { OptimizerName, OptimizerSettings } from '../optimizers/settings.js';
import type { RefineTask, Task } from '../tasks/schema.js';
import { compileTask, refineWorld, type RefineWorld, type World } from '../tasks/worlds.js';

/**
 * The work the lab's Web Worker does: plain-data requests answered by the isomorphic core, the
 * same functions the CLI calls (so the page and `gibbslab … --json` agree to the last bit).
 */
export type Job =
  /** Observables of π*_τ at one τ: `gibbslab equilibrium --tau τ`. */
  | { kind: 'equilibrium-at'; task: Task; tau: number }
  /** Observables on a log-spaced τ grid and τ_c: the curves of the Equilibrium page. */
  | { kind: 'equilibrium-scan'; task: Task; tauMin: number; tauMax: number; points: number }
  /**
   * Mirror descent (η) and the replicator flow (dt = η): `gibbslab flow`, and `flow --continuous --dt η`;
   * and practical optimizers from the same start: `gibbslab optimize --optimizer NAME [settings] --seed S`.
   */
  | { kind: 'flows'; task: Task; tau: number; eta: number; steps: number; from: FlowStart; optimizers: OptimizerRun[]; seed: number }
  /** Practical optimizers alone (β may be 0): `gibbslab optimize` for each. */
  | { kind: 'optimize'; task: Task; steps: number; optimizers: OptimizerRun[]; seed: number }
  /** The tuned refinement chain at one β: `gibbslab chain --beta β --steps N`, and its full spectrum when small. */
  | { kind: 'chain-at'; task: RefineTask; beta: number; steps: number }
  /** The spectral gap and its lower bound over a log-spaced β grid. */
  | { kind: 'chain-scan'; task: RefineTask; betaMin: number; betaMax: number; points: number }
  /** One registered experiment: `runExperiment`, as `gibbslab run` calls it. */
  | { kind: 'experiment'; id: string; config: unknown };

export interface ScanResult {
  table: EquilibriumTable;
  /** As `gibbslab critical`: closed forms for binary and chain tasks, bisection on exact success otherwise. */
  tauC: number | null;
  /** Chain tasks: τ_c(K) for K = 1..Kmax and the K → ∞ limit δ/|log q|. */
  chain?: { K: number[]; tauCByK: (number | null)[]; limit: number };
}

/** One optimizer with the settings the page changes (the rest are its peer's defaults, as in the CLI). */
export interface OptimizerRun {
  optimizer: OptimizerName;
  overrides: Partial<OptimizerSettings>;
}

export interface FlowsResult {
  mirror: FlowTrace;
  replicator: FlowTrace;
  /** In the order of the job's `optimizers`. */
  optimizers: OptimizeResult[];
}

export interface ChainAtResult {
  analysis: ChainAnalysis;
  /** u(f) of each response (generated tasks draw it from their seed). */
  quality: number[];
  /** Every eigenvalue of T, descending (reversible chains with at most FULL_SPECTRUM_STATES responses; else null). */
  spectrum: number[] | null;
}

export interface ChainScanResult {
  beta: number[];
  /** null where T is not reversible, or where β is so small that T underflows off the support. */
  spectralGap: (number | null)[];
  gapLowerBound: (number | null)[];
}

export interface JobResults {
  'equilibrium-at': EquilibriumTable;
  'equilibrium-scan': ScanResult;
  flows: FlowsResult;
  optimize: OptimizeResult[];
  'chain-at': ChainAtResult;
  'chain-scan': ChainScanResult;
  experiment: ExperimentResult;
}

export type JobResult<J extends Job> = JobResults[J['kind']];

/** The last compiled world: moving a slider re-uses it instead of regenerating a large task. */
let compiled: { key: string; world: World } | null = null;

function worldOf(task: Task): World {
  const key = JSON.stringify(task);
  if (compiled?.key !== key) {
    try {
      compiled = { key, world: compileTask(task) };
    } catch (e) {
      // As the CLI: compilation rejects only what the schema cannot express.
      throw new UsageError(`task: ${(e as Error).message}`);
    }
  }
  return compiled.world;
}

function criticalOf(task: Task, world: World): number | null {
  if (task.kind === 'binary') return binaryCriticalTemperature(task);
  if (task.kind === 'chain') return chainCriticalTemperature(task.K, task.q, task.delta);
  return criticalTemperature(world);
}

/** Longest chain shown in the τ_c(K) plot: at least 64 and twice the task's K. */
const MAX_PLOTTED_K = 100_000;

function scan(job: Extract<Job, { kind: 'equilibrium-scan' }>, ctx: RunContext): ScanResult {
  const world = worldOf(job.task);
  const taus = logSpace(job.tauMin, job.tauMax, job.points);
  const total = taus.length + 1;
  const table: EquilibriumTable = { tau: [], logZ: [], freeEnergy: [], expectedReward: [], success: [], entropy: [], refKl: [] };
  taus.forEach((tau, i) => {
    const row = equilibriumTable(world, [tau]);
    for (const key of Object.keys(table) as (keyof EquilibriumTable)[]) table[key].push(row[key][0]);
    ctx.onProgress?.(i + 1, total);
  });
  const tauC = criticalOf(job.task, world);
  ctx.onProgress?.(total, total);
  if (job.task.kind !== 'chain') return { table, tauC };
  const { q, delta } = job.task;
  const K = Array.from({ length: Math.min(MAX_PLOTTED_K, Math.max(64, 2 * job.task.K)) }, (_, i) => i + 1);
  return { table, tauC, chain: { K, tauCByK: K.map((k) => chainCriticalTemperature(k, q, delta)), limit: chainCriticalLimit(job.task) } };
}

/** Each optimizer in turn from the same start and seed; progress counts steps over all of them. */
function runOptimizers(world: World, j: { steps: number; optimizers: OptimizerRun[]; seed: number }, ctx: RunContext): OptimizeResult[] {
  const total = j.steps * j.optimizers.length;
  return j.optimizers.map((run, i) => {
    try {
      return optimize(world, resolveSettings(run.optimizer, run.overrides), {
        steps: j.steps,
        seed: j.seed,
        onProgress: (done) => ctx.onProgress?.(i * j.steps + done, total),
      });
    } catch (e) {
      // As `gibbslab optimize`: a setting the task cannot take is bad input, named.
      if (e instanceof RangeError) throw new UsageError(`${run.optimizer}: ${e.message}`);
      throw e;
    }
  });
}

/** Largest chain whose full spectrum the EBM page shows: the dense solve is O(n³) (~1 s at n = 500). */
export const FULL_SPECTRUM_STATES = 300;

/** As `gibbslab chain`: β too small for the quality range is bad input, named. */
function analyze(world: RefineWorld, beta: number, steps: number): ChainAnalysis {
  try {
    return analyzeChain(world, beta, steps);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(`β = ${beta}: ${e.message}`);
    throw e;
  }
}

function chainAt(j: Extract<Job, { kind: 'chain-at' }>): ChainAtResult {
  const world = refineWorld(j.task);
  const analysis = analyze(world, j.beta, j.steps);
  let spectrum: number[] | null = null;
  if (analysis.reversible && analysis.states <= FULL_SPECTRUM_STATES) {
    const chain = tunedChain(world, j.beta);
    const n = chain.states;
    spectrum = Array.from(denseSpectrum(n, symmetrize(n, chain.T, stationaryDistribution(chain).pi))).reverse();
  }
  return { analysis, quality: Array.from(world.quality), spectrum };
}

function chainScan(j: Extract<Job, { kind: 'chain-scan' }>, ctx: RunContext): ChainScanResult {
  const world = refineWorld(j.task);
  const out: ChainScanResult = { beta: logSpace(j.betaMin, j.betaMax, j.points), spectralGap: [], gapLowerBound: [] };
  out.beta.forEach((beta, i) => {
    let a: ChainAnalysis | null = null;
    try {
      a = analyze(world, beta, 0);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
    }
    out.spectralGap.push(a?.spectralGap ?? null);
    out.gapLowerBound.push(a?.gapLowerBound ?? null);
    ctx.onProgress?.(i + 1, j.points);
  });
  return out;
}

export async function runJob<J extends Job>(job: J, ctx: RunContext = {}): Promise<JobResult<J>> {
  const j: Job = job;
  switch (j.kind) {
    case 'equilibrium-at':
      return equilibriumTable(worldOf(j.task), [j.tau]) as JobResult<J>;
    case 'equilibrium-scan':
      return scan(j, ctx) as JobResult<J>;
    case 'flows': {
      const world = worldOf(j.task);
      // The CLI's defaults: `flow` iterates mirror descent; `flow --continuous` uses the closed form.
      const mirror = mirrorDescentFlow(world, { tau: j.tau, eta: j.eta, steps: j.steps, from: j.from, method: 'iterate' });
      const replicator = replicatorFlow(world, { tau: j.tau, dt: j.eta, steps: j.steps, from: j.from, method: 'closed' });
      return { mirror, replicator, optimizers: runOptimizers(world, j, ctx) } as JobResult<J>;
    }
    case 'optimize':
      return runOptimizers(worldOf(j.task), j, ctx) as JobResult<J>;
    case 'chain-at':
      return chainAt(j) as JobResult<J>;
    case 'chain-scan':
      return chainScan(j, ctx) as JobResult<J>;
    case 'experiment': {
      const exp = findExperiment(j.id);
      if (!exp) throw new UsageError(`experiment = ${JSON.stringify(j.id)}: unknown`);
      const config = parseOrThrow(exp.configSchema, j.config, 'config');
      return (await runExperiment(exp, config, ctx)) as JobResult<J>;
    }
  }
}
