import { join } from 'node:path';
import type { RunResults } from '../../experiments/types.js';
import { writeFileAtomic } from '../../io/files.js';
import { toJson } from '../../io/json.js';
import { renderReport } from '../../report/html.js';
import { VERSION } from '../../version.js';
import { analyzeSweep } from '../analysis.js';
import type { SweepPlan } from '../plan.js';
import { sweepSections } from '../report.js';
import { mergeRows } from '../results.js';
import { sweepSummary, type SweepSummary } from '../summary.js';
import { createPool } from './pool.js';
import { SweepStore } from './store.js';
import type { SweepOutcome } from './worker.js';

export interface SweepRunOptions {
  out: string;
  workers: number;
  resume: boolean;
  signal?: AbortSignal;
  /** Called once the store is open: how many configs were already done, how many remain. */
  onStart?: (resumed: number, todo: number) => void;
  /** Configs finished in this run, out of those it has to compute. */
  onProgress?: (done: number, total: number) => void;
}

export interface SweepRun {
  out: string;
  configs: number;
  resumed: number;
  computed: number;
  failed: number;
  workers: number;
  seconds: number;
  summary: SweepSummary;
}

/**
 * Runs the configs of a plan that DIR does not hold yet on a pool of worker threads, appending
 * each to results.jsonl as it finishes; then merges every row by index and writes summary.json,
 * results.json (the report's input) and report.html.
 */
export async function runSweep(plan: SweepPlan, o: SweepRunOptions): Promise<SweepRun> {
  const store = SweepStore.open(o.out, plan, o.resume);
  const todo = plan.configs.map((_, i) => i).filter((i) => !store.rows.has(i));
  o.onStart?.(store.resumed, todo.length);
  const t0 = performance.now();
  try {
    if (todo.length) await compute(plan, todo, store, o);
  } finally {
    store.close();
  }
  const seconds = (performance.now() - t0) / 1000;

  const rows = mergeRows(plan.configs.length, store.rows.values());
  const summary = sweepSummary(plan.spec, rows, analyzeSweep(plan.spec, rows));
  writeFileAtomic(join(o.out, 'summary.json'), `${toJson(summary, 1)}\n`);
  const sections = sweepSections(summary);
  sections[0].paragraphs.push(
    `This run computed ${todo.length} configs in ${seconds.toFixed(1)} s on ${o.workers} worker thread(s)` +
      `${store.resumed ? `; ${store.resumed} were already in results.jsonl` : ''}.`,
  );
  const results: RunResults = {
    gibbslab: VERSION,
    createdAt: new Date().toISOString(),
    quick: 'experiment' in plan.spec.target && plan.spec.target.size === 'quick',
    experiments: [],
    sections,
  };
  writeFileAtomic(join(o.out, 'results.json'), toJson(results, 1));
  writeFileAtomic(join(o.out, 'report.html'), await renderReport(results));
  return { out: o.out, configs: rows.length, resumed: store.resumed, computed: todo.length, failed: summary.failed, workers: o.workers, seconds, summary };
}

/**
 * A few tasks per thread in flight keeps every thread busy without queueing the whole grid; each
 * result is appended the moment it arrives. On an error or an abort the other tasks are
 * cancelled and awaited, so nothing is appended after the store closes.
 */
async function compute(plan: SweepPlan, todo: number[], store: SweepStore, o: SweepRunOptions): Promise<void> {
  const pool = await createPool(Math.min(o.workers, todo.length));
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  let next = 0;
  let done = 0;
  const loop = async () => {
    while (next < todo.length) {
      signal.throwIfAborted();
      const index = todo[next++];
      const outcome = (await pool.run({ kind: 'sweep', target: plan.spec.target, config: plan.configs[index] }, { signal })) as SweepOutcome;
      store.append({ index, config: plan.configs[index], seed: plan.seeds[index], ...(outcome.ok ? { result: outcome.result } : { error: outcome.error }) });
      o.onProgress?.(++done, todo.length);
    }
  };
  let failure: unknown;
  try {
    await Promise.all(
      Array.from({ length: Math.min(todo.length, 2 * o.workers) }, () =>
        loop().catch((e: unknown) => {
          failure ??= e;
          stop.abort(e);
        }),
      ),
    );
    o.signal?.throwIfAborted();
    if (failure !== undefined) throw failure;
  } finally {
    await pool.destroy();
  }
}
