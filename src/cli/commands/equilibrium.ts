import type { Command } from 'commander';
import { equilibriumTable, gibbsLogPolicy } from '../../equilibrium/equilibrium.js';
import { UsageError } from '../../io/errors.js';
import { parseNumberList } from '../options.js';
import { printJson, table } from '../output.js';
import { examples, resolveTask, taskCommand } from './common.js';

export function registerEquilibrium(program: Command): void {
  taskCommand(program, 'equilibrium', 'exact Gibbs equilibrium π*_τ ∝ π_ref·exp(r/τ) at each τ')
    .description(
      'Exact Gibbs equilibrium π*_τ ∝ π_ref·exp(r/τ) for each τ: log Z, free energy (= −τ·log Z),\n' +
        'expected reward, success (probability of the maximal reward), entropy and KL to the reference.\n' +
        'Chain tasks are exact at sequence level (soft-value recursion); contextual tasks report the mean over prompts.',
    )
    .requiredOption('--tau <T[,T...]>', 'temperature(s) τ > 0 (the reference-KL coefficient, GRPO\'s β)')
    .option('--policy', 'also print π*_τ (bandit and binary tasks)')
    .addHelpText(
      'after',
      examples([
        'gibbslab equilibrium examples/binary.yaml --tau 0.1,0.4551,1',
        'gibbslab equilibrium --task \'{"kind":"chain","K":8,"q":0.9,"vocab":16,"delta":0.1}\' --tau 1 --json',
        'gibbslab equilibrium examples/bandit.yaml --tau 0.5 --policy',
      ]),
    )
    .action((file: string | undefined, opts: { tau: string; policy?: boolean; json?: boolean; task?: string }) => {
      const taus = parseNumberList('--tau', opts.tau, { gt: 0 });
      const { task, world } = resolveTask(file, opts);
      if (opts.policy && !(task.kind === 'bandit' || task.kind === 'binary')) {
        throw new UsageError(`--policy: only for bandit and binary tasks (this task is ${task.kind})`);
      }
      const t = equilibriumTable(world, taus);
      const policy =
        opts.policy && world.type === 'bandit' ? taus.map((tau) => Array.from(gibbsLogPolicy(world, tau), Math.exp)) : undefined;
      if (opts.json) {
        printJson({ ...t, ...(policy ? { policy } : {}) });
        return;
      }
      console.log(
        table(
          ['tau', 'logZ', 'freeEnergy', 'expectedReward', 'success', 'entropy', 'refKl'],
          t.tau.map((tau, i) => [tau, t.logZ[i], t.freeEnergy[i], t.expectedReward[i], t.success[i], t.entropy[i], t.refKl[i]]),
        ),
      );
      policy?.forEach((p, i) => console.log(`π*(τ=${taus[i]}) = [${p.map((v) => v.toPrecision(6)).join(', ')}]`));
    });
}
