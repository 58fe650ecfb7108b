import type { Command } from 'commander';
import { binaryCriticalTemperature, chainCriticalLimit, chainCriticalTemperature, criticalTemperature } from '../../equilibrium/critical.js';
import { parseNumber } from '../options.js';
import { fmt, printJson, table } from '../output.js';
import { examples, resolveTask, taskCommand } from './common.js';

export function registerCritical(program: Command): void {
  taskCommand(program, 'critical', 'the crossover temperature τ_c where equilibrium success crosses 1/2')
    .description(
      'The crossover temperature τ_c where the equilibrium success crosses 1/2.\n' +
        'binary: τ_c = Δ/ln((1−p)/p) (F36); bandit/contextual: bisection on the (mean) success;\n' +
        'chain: τ_c(K) = δ/(|log q| + log(1−q^K)/K) for K = 1..--max-k and the limit δ/|log q| (F37).\n' +
        'null when success never crosses 1/2.',
    )
    .option('--max-k <N>', 'chain tasks: report τ_c(K) for K = 1..N (default: the task\'s K)')
    .addHelpText(
      'after',
      examples([
        'gibbslab critical examples/binary.yaml',
        'gibbslab critical examples/chain.yaml --max-k 64 --json',
        'gibbslab critical --task \'{"kind":"contextual","prompts":64,"vocab":256,"correctFraction":0.02}\'',
      ]),
    )
    .action((file: string | undefined, opts: { maxK?: string; json?: boolean; task?: string }) => {
      const { task, world } = resolveTask(file, opts);
      if (task.kind === 'chain') {
        const maxK = opts.maxK !== undefined ? parseNumber('--max-k', opts.maxK, { integer: true, min: 1, max: 1_000_000 }) : task.K;
        const K = Array.from({ length: maxK }, (_, i) => i + 1);
        const tauCByK = K.map((k) => chainCriticalTemperature(k, task.q, task.delta));
        const out = { tauC: chainCriticalTemperature(task.K, task.q, task.delta), K, tauCByK, tauCLimit: chainCriticalLimit(task) };
        if (opts.json) return printJson(out);
        console.log(`τ_c(K=${task.K}) = ${fmt(out.tauC)}    limit δ/|log q| = ${fmt(out.tauCLimit)}`);
        const show = K.filter((k) => k <= 10 || k === maxK || (k & (k - 1)) === 0);
        console.log(table(['K', 'tauC'], show.map((k) => [k, tauCByK[k - 1]])));
        return;
      }
      const tauC = task.kind === 'binary' ? binaryCriticalTemperature(task) : criticalTemperature(world);
      if (opts.json) return printJson({ tauC });
      console.log(tauC === null ? 'τ_c: none (success does not cross 1/2 at any τ)' : `τ_c = ${fmt(tauC, 10)}`);
    });
}
