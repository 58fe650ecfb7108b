import type { Command } from 'commander';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../../io/errors.js';
import { linkLatest, newRunDir, readStructuredFile } from '../../io/files.js';
import { loadTask } from '../../io/task.js';
import { isPlainObject } from '../../sweep/paths.js';
import { planSweep } from '../../sweep/plan.js';
import { normalizeSweep } from '../../sweep/spec.js';
import { defaultWorkers } from '../../sweep/node/pool.js';
import { runSweep } from '../../sweep/node/runner.js';
import { parseNumber } from '../options.js';
import { fmt, printJson, progressBar, table } from '../output.js';
import { examples } from './common.js';

interface SweepOpts {
  workers?: string;
  out?: string;
  resume?: boolean;
  json?: boolean;
}

/** Reads a sweep file; a `task` given as a path is loaded relative to the sweep file. */
function readSweepFile(file: string): unknown {
  const raw = readStructuredFile(file, 'sweep file');
  if (isPlainObject(raw) && typeof raw.task === 'string') return { ...raw, task: loadTask(resolve(dirname(file), raw.task), undefined) };
  return raw;
}

/** Without --out a resume continues runs/latest, where a fresh sweep links itself as soon as it starts. */
function resumeDir(): string {
  const latest = join('runs', 'latest');
  if (!existsSync(join(latest, 'sweep.json'))) throw new UsageError('--resume: no --out given and runs/latest is not a sweep folder; give --out DIR');
  return relative(process.cwd(), realpathSync(latest)) || '.';
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .summary('run an experiment or a measurement over a grid of configs on a pool of worker threads; resumable')
    .description(
      'Expands the grid of a sweep file (YAML/JSON; see docs/sweep.md), validates every config, and runs them on\n' +
        '--workers threads, appending each result to DIR/results.jsonl as it finishes. Interrupted (Ctrl-C, crash,\n' +
        'kill), it continues with --resume: finished configs are kept, none is computed twice. Seeds derive from\n' +
        "the sweep seed and each config's identity, so the merged DIR/summary.json is the same for any worker count\n" +
        'and any interruption. Also writes DIR/results.json and DIR/report.html (plots; crossing analysis of τ sweeps).',
    )
    .argument('<config>', 'sweep file (.yaml, .yml, .json)')
    .option('--workers <N>', 'worker threads (default: all cores)')
    .option('--out <dir>', 'output folder (default runs/<timestamp>, linked as runs/latest)')
    .option('--resume', 'continue the sweep in --out (default runs/latest); starts it when the folder is new')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      examples([
        'gibbslab sweep examples/sweeps/chain-crossing.yaml --out runs/chain',
        'gibbslab sweep examples/sweeps/chain-crossing.yaml --out runs/chain --resume',
        'gibbslab sweep examples/sweeps/mirror-descent.yaml --workers 2 --json',
      ]),
    )
    .action(async (file: string, opts: SweepOpts) => {
      const workers = opts.workers === undefined ? defaultWorkers() : parseNumber('--workers', opts.workers, { integer: true, min: 1, max: 1024 });
      const plan = planSweep(normalizeSweep(readSweepFile(file)));
      const out = opts.out ?? (opts.resume ? resumeDir() : newRunDir());
      if (!opts.out && !opts.resume) {
        mkdirSync(out, { recursive: true });
        linkLatest(out);
      }
      const quiet = opts.json ?? false;
      const bar = progressBar('sweep', quiet);
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      let run;
      try {
        run = await runSweep(plan, {
          out,
          workers,
          resume: opts.resume ?? false,
          signal: controller.signal,
          onStart: (resumed, todo) => {
            if (resumed && !quiet) process.stderr.write(`resuming ${out}: ${resumed} configs already done, ${todo} to go\n`);
          },
          onProgress: (done, total) => bar.update(done, total),
        });
      } catch (e) {
        if (controller.signal.aborted) process.stderr.write(`sweep interrupted; finished configs are in ${join(out, 'results.jsonl')}. Continue with:\n  gibbslab sweep ${file} --out ${out} --resume\n`);
        throw e;
      } finally {
        bar.stop();
        process.removeListener('SIGINT', interrupt);
        process.removeListener('SIGTERM', interrupt);
      }
      if (run.failed) process.stderr.write(`gibbslab: ${run.failed} of ${run.configs} configs raised an error; it is their result in ${join(out, 'results.jsonl')}\n`);
      if (opts.json) {
        const { summary, ...counts } = run;
        return printJson({ ...counts, summary: join(out, 'summary.json'), report: join(out, 'report.html'), analysis: summary.analysis });
      }
      const rate = run.computed / Math.max(run.seconds, 1e-9);
      console.log(
        `${plan.spec.title}: ${run.configs} configs (${run.resumed} resumed, ${run.computed} computed, ${run.failed} failed) in ${run.seconds.toFixed(1)} s on ${workers} worker(s)` +
          (run.computed ? `, ${fmt(rate, 4)} configs/s` : ''),
      );
      const crossings = run.summary.analysis.crossings;
      if (crossings?.length) {
        console.log(`\n${table(['curve', 'τ at 1/2 (grid)', 'τ_c equilibrium'], crossings.slice(0, 20).map((c) => [c.group, c.tauC, c.equilibriumTauC]))}`);
        if (crossings.length > 20) console.log(`… ${crossings.length - 20} more in summary.json`);
      }
      console.log(`\nsummary: ${join(out, 'summary.json')}\nreport: ${join(out, 'report.html')}`);
    });
}
