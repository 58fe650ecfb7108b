import type { Command } from 'commander';
import { join } from 'node:path';
import { EXPERIMENTS, findExperiment, runExperiment } from '../../experiments/registry.js';
import type { Experiment, RunResults } from '../../experiments/types.js';
import { UsageError } from '../../io/errors.js';
import { linkLatest, newRunDir, writeFileAtomic } from '../../io/files.js';
import { toJson } from '../../io/json.js';
import { renderReport } from '../../report/html.js';
import { formatVerdictTable } from '../../report/verdictTable.js';
import { VERSION } from '../../version.js';
import { printJson, progressBar } from '../output.js';
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
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', examples(['gibbslab run', 'gibbslab run --quick', 'gibbslab run crossing mirror-descent --out runs/try --json']))
    .action(async (names: string[], opts: { out?: string; quick?: boolean; json?: boolean }) => {
      const selected = selectExperiments(names);
      const quick = opts.quick ?? false;
      const out = opts.out ?? newRunDir();
      const bar = progressBar('suite', opts.json ?? false);
      const results: RunResults = { gibbslab: VERSION, createdAt: new Date().toISOString(), quick, experiments: [] };
      const total = selected.length;
      for (const [i, exp] of selected.entries()) {
        bar.update(i, total);
        const config = exp.configSchema.parse(quick ? exp.sizes.quick : exp.sizes.full);
        results.experiments.push(
          await runExperiment(exp, config, { onProgress: (done, of) => bar.update(i + (of > 0 ? done / of : 0), total) }),
        );
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
