import { cpus, loadavg } from 'node:os';
import { runWorkload, type BenchSizes, type Executor, type WorkloadName } from '../workloads.js';

export interface Timing {
  workload: WorkloadName;
  /** Best of the timed runs (after one untimed warm-up). */
  seconds: number;
  secondsMedian: number;
  runs: number[];
  checksum: number;
}

/**
 * Times a workload as the peers do: one warm-up, then `repeat` runs, inputs included; keeps the
 * best. Every run must give the same checksum (the computation is deterministic).
 */
export async function timeWorkload(name: WorkloadName, sizes: BenchSizes, ex: Executor, repeat: number): Promise<Timing> {
  const checksum = await runWorkload(name, sizes, ex);
  const runs: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    const c = await runWorkload(name, sizes, ex);
    runs.push((performance.now() - t0) / 1000);
    if (!Object.is(c, checksum)) throw new Error(`${name}: run ${r + 1} gave checksum ${c}, the warm-up ${checksum}`);
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { workload: name, seconds: sorted[0], secondsMedian: sorted[Math.floor(sorted.length / 2)], runs, checksum };
}

/** What the numbers were measured on. */
export function machine(): { cpu: string; cores: number; node: string; loadAverage: number[] } {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, node: process.version, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) };
}
