import type { Command } from 'commander';
import { EXPERIMENTS } from '../../experiments/registry.js';
import { printJson } from '../output.js';
import { examples } from './common.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .summary('list the experiments with their questions and sources')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', examples(['gibbslab list', 'gibbslab list --json']))
    .action((opts: { json?: boolean }) => {
      const rows = EXPERIMENTS.map((e) => ({ id: e.id, title: e.title, question: e.question, source: e.source }));
      if (opts.json) return printJson({ experiments: rows });
      for (const r of rows) console.log(`${r.id}\n  ${r.title}\n  Q: ${r.question}\n  source: ${r.source}\n`);
    });
}
