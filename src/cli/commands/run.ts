import type { Command } from 'commander';
import { join } from 'node:path';
import { EXPERIMENTS, findExperiment, runExperiment } from '../../experiments/registry.js';
import type { Experiment, ExperimentResult, RunResults } from '../../experiments/types.js';
import { parseOrThrow, UsageError } from '../../io/errors.js';
import { linkLatest, newRunDir, readStructuredFile, writeFileAtomic } from '../../io/files.js';
import { toJson } from '../../io/json.js';
import { renderReport } from '../../report/html.js';
import { formatVerdictTable } from '../../report/verdictTable.js';
import { createPool, defaultWorkers } from '../../sweep/node/pool.js';
import { isPlainObject, mergeConfig } from '../../sweep/paths.js';
import { VERSION } from '../../version.js';
import { parseNumber } from '../options.js';
import { printJson, progressBar, type Progress } from '../output.js';
import { examples } from './common.js';

/** Names that stand for the default suite (every experiment). */
const SUITE_NAMES = new Set(['suite', 'default', 'all']);

export function selectExperiments(names: string[]): Experiment<unknown>[] {
  if (names.length === 0 || names.some((n) => SUITE_NAMES.has(n))) return EXPERIMENTS;
  return names.map((n) => {
    const e = findExperiment(n);
    if (!e) throw new UsageError(`experiment = ${JSON.stringify(n)}: unknown; one of suite, ${EXPERIMENTS.map((x) => x.id).join(', ')}`);
    return e;
  });
}

/** `--config` file: `{<experiment id>: {field: value, …}}`, merged over the chosen sizes; ids not selected are ignored. */
function readOverrides(file: string | undefined): Record<string, unknown> {
  if (file === undefined) return {};
  const raw = readStructuredFile(file, 'config file');
  if (!isPlainObject(raw)) throw new UsageError(`--config ${JSON.stringify(file)}: must map experiment ids to config fields, e.g. {crossing: {p: 0.2}}`);
  const unknown = Object.keys(raw).find((id) => !findExperiment(id));
  if (unknown !== undefined) throw new UsageError(`--config ${unknown}: unknown experiment; one of ${EXPERIMENTS.map((x) => x.id).join(', ')}`);
  return raw;
}

/**
 * The experiments on a pool of worker threads, one task each; results come back in suite order.
 * Progress counts finished experiments (a worker's finer progress stays in its thread).
 */
async function runOnPool(selected: Experiment<unknown>[], configs: unknown[], workers: number, bar: Progress): Promise<ExperimentResult[]> {
  const pool = await createPool(workers);
  let done = 0;
  bar.update(0, selected.length);
  try {
    return await Promise.all(
      selected.map(async (exp, i) => {
        const result = (await pool.run({ kind: 'experiment', id: exp.id, config: configs[i] })) as ExperimentResult;
        bar.update(++done, selected.length);
        return result;
      }),
    );
  } finally {
    await pool.destroy();
  }
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .summary('run experiments (default: the whole suite), write results.json and report.html, print verdicts')
    .description(
      'Runs experiments and writes DIR/results.json and DIR/report.html (default DIR: runs/<timestamp>,\n' +
        'with runs/latest pointing at it), then prints the verdict table. A failing verdict is a result, not an error.',
    )
    .argument('[experiments...]', 'experiment ids, or "suite" for all (see `gibbslab list`)')
    .option('--out <dir>', 'output folder (default runs/<timestamp>)')
    .option('--quick', 'small sizes (as in CI)')
    .option('--config <file>', 'per-experiment overrides (YAML/JSON: {<experiment id>: {field: value}}), merged over the sizes')
    .option('--workers <N>', 'experiments in parallel on N worker threads (default: all cores; 1 runs them in this process)')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      examples(['gibbslab run', 'gibbslab run --quick', 'gibbslab run crossing mirror-descent --out runs/try --json', 'gibbslab run crossing --quick --workers 1']),
    )
    .action(async (names: string[], opts: { out?: string; quick?: boolean; json?: boolean; config?: string; workers?: string }) => {
      const selected = selectExperiments(names);
      const quick = opts.quick ?? false;
      const workers = opts.workers === undefined ? defaultWorkers() : parseNumber('--workers', opts.workers, { integer: true, min: 1, max: 1024 });
      const overrides = readOverrides(opts.config);
      const configs = selected.map((exp) => {
        const size = quick ? exp.sizes.quick : exp.sizes.full;
        return exp.id in overrides ? parseOrThrow(exp.configSchema, mergeConfig(size, overrides[exp.id]), exp.id) : exp.configSchema.parse(size);
      });
      const out = opts.out ?? newRunDir();
      const bar = progressBar('suite', opts.json ?? false);
      const results: RunResults = { gibbslab: VERSION, createdAt: new Date().toISOString(), quick, experiments: [] };
      const total = selected.length;
      if (Math.min(workers, total) > 1) results.experiments = await runOnPool(selected, configs, Math.min(workers, total), bar);
      else {
        for (const [i, exp] of selected.entries()) {
          bar.update(i, total);
          results.experiments.push(
            await runExperiment(exp, configs[i], { onProgress: (done, of) => bar.update(i + (of > 0 ? done / of : 0), total) }),
          );
        }
      }
      bar.update(total, total);
      bar.stop();
      const html = await renderReport(results);
      writeFileAtomic(join(out, 'results.json'), toJson(results, 1));
      writeFileAtomic(join(out, 'report.html'), html);
      if (!opts.out) linkLatest(out);
      if (opts.json) {
        printJson({
          experiments: results.experiments.map((e) => ({ id: e.id, title: e.title, verdicts: e.verdicts, seconds: e.seconds })),
          out,
        });
        return;
      }
      console.log(formatVerdictTable(results));
      console.log(`\nreport: ${join(out, 'report.html')}\nresults: ${join(out, 'results.json')}`);
    });
}
