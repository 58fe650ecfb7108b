import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readStructuredFile } from '../../io/files.js';
import { planSweep } from '../plan.js';
import { normalizeSweep } from '../spec.js';
import { runSweep } from './runner.js';

/**
 * The sweep throughput benchmark (not a test): the same sweep on 1 and on 2 worker threads,
 * each run `repeat` times (best kept), with a check that both give the same summary.json bytes.
 *   node dist/sweep/node/bench.js [sweep file] [--repeat N] [--workers 1,2,…]
 * Throughput counts computing only (pool start included), not the report written afterwards.
 *
 * On a shared machine other tenants take cores too, so the bench first measures the ceiling:
 * how much faster n threads of a plain arithmetic loop get through n units of work than one
 * thread through one. A sweep cannot scale better than that.
 */
const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : fallback;
};
const repeat = Number(flag('--repeat', '2'));
const counts = flag('--workers', '1,2').split(',').map(Number);
const file = args[0] ?? fileURLToPath(new URL('../../../examples/sweeps/bench.yaml', import.meta.url));

const SPIN = `let x = 0; for (let i = 0; i < 3e8; i++) x += Math.sqrt(i); require('node:worker_threads').parentPort.postMessage(x);`;

/** Seconds for n threads to run one spin loop each. */
async function spin(n: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve, reject) => new Worker(SPIN, { eval: true }).once('message', resolve).once('error', reject))),
  );
  return (performance.now() - t0) / 1000;
}

const plan = planSweep(normalizeSweep(readStructuredFile(file, 'sweep file')));
const root = mkdtempSync(join(tmpdir(), 'gibbslab-bench-'));
const best = new Map<number, { seconds: number; cpu: number }>();
const summaries = new Map<number, string>();
console.log(`${plan.spec.title}: ${plan.configs.length} configs; load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const one = await spin(1);
const ceiling: string[] = [];
for (const n of counts.filter((c) => c > 1)) ceiling.push(`${n} threads ${((n * one) / (await spin(n))).toFixed(2)}×`);
console.log(`machine ceiling (a plain loop, n units on n threads vs 1 on 1): ${ceiling.join(', ')}`);
try {
  // Alternate the worker counts so a change in machine load hits both alike.
  for (let r = 0; r < repeat; r++) {
    for (const workers of counts) {
      const out = join(root, `w${workers}-${r}`);
      // CPU time of every thread of the process while the configs are computed.
      let cpu0 = process.cpuUsage();
      let cpu = 0;
      const run = await runSweep(plan, {
        out,
        workers,
        resume: false,
        onStart: () => (cpu0 = process.cpuUsage()),
        onProgress: (done, total) => {
          if (done !== total) return;
          const used = process.cpuUsage(cpu0);
          cpu = (used.user + used.system) / 1e6;
        },
      });
      if (run.seconds < (best.get(workers)?.seconds ?? Infinity)) best.set(workers, { seconds: run.seconds, cpu });
      summaries.set(workers, readFileSync(join(out, 'summary.json'), 'utf8'));
      console.log(`  run ${r + 1}, ${workers} worker(s): ${run.seconds.toFixed(2)} s, ${cpu.toFixed(1)} CPU s`);
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const base = best.get(counts[0])!.seconds;
for (const workers of counts) {
  const { seconds, cpu } = best.get(workers)!;
  console.log(
    `${workers} worker(s): ${seconds.toFixed(2)} s, ${(plan.configs.length / seconds).toFixed(1)} configs/s, ${(base / seconds).toFixed(2)}× the ${counts[0]}-worker throughput; ` +
      `${cpu.toFixed(1)} CPU s (${(cpu / seconds).toFixed(2)} cores busy on average)`,
  );
}
const identical = new Set(summaries.values()).size === 1;
console.log(`summary.json identical across worker counts: ${identical ? 'yes' : 'NO'}; load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
if (!identical) process.exitCode = 1;
