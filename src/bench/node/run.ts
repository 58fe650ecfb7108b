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

/**
 * Two timings of one workload as one: the best and median over all their runs. Their checksums must
 * be the same bits.
 */
export function mergeTimings(a: Timing, b: Timing): Timing {
  if (!Object.is(a.checksum, b.checksum)) throw new Error(`${a.workload}: checksums ${a.checksum} and ${b.checksum} differ between rounds`);
  const runs = [...a.runs, ...b.runs];
  const sorted = [...runs].sort((x, y) => x - y);
  return { workload: a.workload, seconds: sorted[0], secondsMedian: sorted[Math.floor(sorted.length / 2)], runs, checksum: a.checksum };
}

/** What the numbers were measured on. */
export function machine(): { cpu: string; cores: number; node: string; loadAverage: number[] } {
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, node: process.version, loadAverage: loadavg().map((x) => Number(x.toFixed(2))) };
}
