import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { inlineExecutor, type Executor, type Job } from '../workloads.js';

/** The built worker beside this file: dist/bench/node/worker.js. */
const WORKER_FILE = new URL('./worker.js', import.meta.url).href;

export function defaultThreads(): number {
  return availableParallelism();
}

/** A copy of `a` on a SharedArrayBuffer: worker threads read it without copying. */
function share<T extends Float64Array | Int32Array>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new Ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

export interface PoolExecutor extends Executor {
  close(): Promise<void>;
}

/**
 * Runs jobs on `threads` worker threads (all started at once and kept, so a timed run does not
 * pay for thread start-up), or in this thread when threads = 1.
 */
export function createExecutor(threads: number): PoolExecutor {
  if (threads === 1) return { ...inlineExecutor, close: async () => {} };
  const pool = new Piscina<Job, unknown[]>({ filename: WORKER_FILE, minThreads: threads, maxThreads: threads, idleTimeout: Number.MAX_SAFE_INTEGER });
  return {
    threads,
    run: async (jobs) => (await Promise.all(jobs.map((job) => pool.run(job)))).flat(),
    share,
    allocate: (n) => new Float64Array(new SharedArrayBuffer(8 * n)),
    close: () => pool.destroy(),
  };
}
