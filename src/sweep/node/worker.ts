import { findExperiment, runExperiment } from '../../experiments/registry.js';
import type { ExperimentResult } from '../../experiments/types.js';
import { resolveTarget, type TargetRef } from '../targets.js';

/**
 * The pool's worker thread (built to dist/sweep/node/worker.js; piscina loads that file). It runs
 * the same isomorphic code as the main thread; tasks and results cross as structured clones.
 */

export type PoolTask =
  /** One sweep config: its result, or the error it raised (recorded, not retried). */
  | { kind: 'sweep'; target: TargetRef; config: unknown }
  /** One experiment of `gibbslab run`: its full result with plots; an error fails the run as it would in-process. */
  | { kind: 'experiment'; id: string; config: unknown };

export type SweepOutcome = { ok: true; result: unknown } | { ok: false; error: string };

export default async function runPoolTask(task: PoolTask): Promise<SweepOutcome | ExperimentResult> {
  if (task.kind === 'experiment') return runExperiment(findExperiment(task.id)!, task.config);
  try {
    return { ok: true, result: await resolveTarget(task.target).run(task.config, {}) };
  } catch (e) {
    return { ok: false, error: `${(e as Error)?.name ?? 'Error'}: ${String((e as Error)?.message ?? e).split('\n')[0]}` };
  }
}
