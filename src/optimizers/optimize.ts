import { LadderRecorder, type LadderTrace } from '../diagnostics/ladder.js';
import { Rng } from '../numerics/rng.js';
import { policyLayout } from '../policies/layout.js';
import { TabularPolicy } from '../policies/tabular.js';
import type { World } from '../tasks/worlds.js';
import { emptyStepStats } from './pipeline.js';
import { OPTIMIZERS } from './registry.js';
import { settingsIssue, type OptimizerName, type OptimizerSettings } from './settings.js';

export interface OptimizeOptions {
  steps: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface OptimizeResult extends LadderTrace {
  settings: OptimizerSettings;
  /** Final policy as probabilities (single-prompt bandit worlds). */
  finalPolicy?: number[];
}

/** An optimizer's defaults with some settings replaced. */
export function resolveSettings(name: OptimizerName, overrides: Partial<OptimizerSettings> = {}): OptimizerSettings {
  const s: OptimizerSettings = { ...OPTIMIZERS[name].defaults, ...overrides, optimizer: name };
  // Exact expectations are one batch: there is nothing to split into mini-batches.
  if (s.exact) s.minibatches = 1;
  return s;
}

/**
 * Runs an optimizer for `steps` steps from π_0 and records the exact ladder diagnostics of every
 * iterate (entry 0 is π_0). Step k draws from `Rng.fromSeed(seed).split('step', k)`, so a run is a
 * function of (world, settings, seed) only.
 */
export function optimize(world: World, settings: OptimizerSettings, o: OptimizeOptions): OptimizeResult {
  const issue = settingsIssue(settings);
  if (issue) throw new RangeError(`${issue.key} = ${JSON.stringify(issue.value)}: ${issue.message}`);
  // Annealing schedules without a horizon run over the whole run (the resolved record says so).
  if (settings.annealSteps === null) settings = { ...settings, annealSteps: Math.max(1, o.steps) };
  const layout = policyLayout(world);
  const policy = TabularPolicy.start(layout, settings.from);
  const prev = policy.clone();
  const optimizer = OPTIMIZERS[settings.optimizer].create(layout, settings);
  const recorder = new LadderRecorder(world, settings.beta, settings.lr, policy);
  const root = Rng.fromSeed(o.seed);
  const stats = emptyStepStats();
  recorder.record(0, policy, null, null);
  const every = Math.max(1, Math.floor(o.steps / 200));
  for (let k = 1; k <= o.steps; k++) {
    o.signal?.throwIfAborted();
    prev.copyFrom(policy);
    recorder.before(prev);
    Object.assign(stats, emptyStepStats());
    optimizer.step(policy, root.split('step', k), stats);
    recorder.record(k, policy, prev, stats);
    if (k % every === 0 || k === o.steps) o.onProgress?.(k, o.steps);
  }
  const result: OptimizeResult = { settings, ...recorder.trace };
  if (world.type === 'bandit' && world.prompts === 1) result.finalPolicy = Array.from(policy.prob);
  return result;
}
