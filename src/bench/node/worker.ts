import { runJob, type Job } from '../workloads.js';

/**
 * The bench pool's worker thread (built to dist/bench/node/worker.js; piscina loads that file):
 * the same pure job code as the main thread. Inputs arrive on SharedArrayBuffers (no copy).
 */
export default function runBenchJob(job: Job): unknown[] {
  return runJob(job);
}
