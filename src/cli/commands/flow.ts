import type { Command } from 'commander';
import { mirrorDescentFlow } from '../../flows/mirrorDescent.js';
import { replicatorFlow } from '../../flows/replicator.js';
import { UsageError } from '../../io/errors.js';
import { parseChoice, parseNumber } from '../options.js';
import { printJson, table } from '../output.js';
import { examples, resolveTask, taskCommand } from './common.js';

interface FlowOpts {
  tau: string;
  eta?: string;
  steps: string;
  from: string;
  continuous?: boolean;
  dt?: string;
  method?: string;
  json?: boolean;
  task?: string;
}

export function registerFlow(program: Command): void {
  taskCommand(program, 'flow', 'the ideal dynamics: entropy mirror descent on F_τ, or its continuous replicator limit')
    .description(
      'The ideal dynamics toward π*_τ: entropic mirror descent on the free energy F_τ (F5–F6:\n' +
        'π_{k+1} ∝ π_k·exp(η·(r − τ·log(π_k/π_ref)))), or with --continuous the replicator flow (F7), entry k at time k·dt.\n' +
        'Per step: KL to Gibbs, free-energy gap (= τ·KL), success, expected reward, entropy, ref-KL.\n' +
        '--method closed evaluates the closed forms (geometric mixture π_0^{c^k}·π*^{1−c^k}, c = 1−ητ).',
    )
    .requiredOption('--tau <T>', 'temperature τ > 0')
    .option('--eta <E>', 'step size η > 0 (mirror descent; converges iff 0 < ητ < 2)')
    .requiredOption('--steps <N>', 'number of steps')
    .option('--from <start>', 'initial policy: ref | uniform', 'ref')
    .option('--continuous', 'the continuous replicator flow (needs --dt)')
    .option('--dt <h>', 'time step of the continuous flow')
    .option('--method <m>', 'iterate | closed for mirror descent (default iterate); rk4 | closed for --continuous (default closed)')
    .addHelpText(
      'after',
      examples([
        'gibbslab flow examples/bandit.yaml --tau 0.5 --eta 0.5 --steps 20',
        'gibbslab flow examples/binary.yaml --tau 0.5 --eta 3 --steps 10 --json   # ητ = 1.5: oscillates',
        'gibbslab flow examples/chain.yaml --tau 0.05 --steps 100 --continuous --dt 0.1 --from uniform',
      ]),
    )
    .action((file: string | undefined, opts: FlowOpts) => {
      const tau = parseNumber('--tau', opts.tau, { gt: 0 });
      const steps = parseNumber('--steps', opts.steps, { integer: true, min: 0, max: 10_000_000 });
      const from = parseChoice('--from', opts.from, ['ref', 'uniform'] as const);
      const { task, world } = resolveTask(file, opts);
      let trace;
      if (opts.continuous) {
        if (opts.dt === undefined) throw new UsageError('--dt: missing; --continuous needs a time step --dt > 0');
        if (opts.eta !== undefined) throw new UsageError('--eta: not used with --continuous (give --dt)');
        const dt = parseNumber('--dt', opts.dt, { gt: 0 });
        const method = parseChoice('--method', opts.method ?? 'closed', ['rk4', 'closed'] as const);
        trace = replicatorFlow(world, { tau, dt, steps, from, method });
      } else {
        if (opts.eta === undefined) throw new UsageError('--eta: missing; mirror descent needs a step size --eta > 0');
        if (opts.dt !== undefined) throw new UsageError('--dt: only with --continuous');
        const eta = parseNumber('--eta', opts.eta, { gt: 0 });
        const method = parseChoice('--method', opts.method ?? 'iterate', ['iterate', 'closed'] as const);
        trace = mirrorDescentFlow(world, { tau, eta, steps, from, method });
      }
      if (!(task.kind === 'bandit' || task.kind === 'binary')) delete trace.finalPolicy;
      if (opts.json) return printJson(trace);
      const every = Math.max(1, Math.ceil(trace.step.length / 25));
      const rows = trace.step
        .map((s, i) => [trace.time ? trace.time[i] : s, trace.klToGibbs[i], trace.freeEnergyGap[i], trace.success[i], trace.entropy[i], trace.refKl[i]])
        .filter((_, i) => i % every === 0 || i === trace.step.length - 1);
      console.log(table([trace.time ? 'time' : 'step', 'klToGibbs', 'freeEnergyGap', 'success', 'entropy', 'refKl'], rows));
    });
}
