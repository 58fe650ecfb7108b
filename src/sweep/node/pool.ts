import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import type { PoolTask } from './worker.js';

/** The built worker beside this file: dist/sweep/node/worker.js (tests run the CLI from dist). */
const WORKER_FILE = new URL('./worker.js', import.meta.url).href;

export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * A fixed-size pool of worker threads: all threads start at once and stay until `destroy`, so
 * throughput does not depend on thread start-up or idle timeouts. piscina is loaded here, on first
 * use, rather than on import: every command's start-up would pay for it otherwise.
 */
export async function createPool(workers: number): Promise<Piscina<PoolTask, unknown>> {
  const { Piscina } = await import('piscina');
  return new Piscina<PoolTask, unknown>({ filename: WORKER_FILE, minThreads: workers, maxThreads: workers, idleTimeout: Number.MAX_SAFE_INTEGER });
}
