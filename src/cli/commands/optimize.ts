import type { Command } from 'commander';
import { UsageError } from '../../io/errors.js';
import { KL_ESTIMATORS } from '../../optimizers/kl.js';
import { optimize, resolveSettings } from '../../optimizers/optimize.js';
import { OPTIMIZERS } from '../../optimizers/registry.js';
import {
  KL_PLACEMENTS,
  LOSS_AGG_MODES,
  LOSS_MODES,
  OPTIMIZER_KINDS,
  OPTIMIZER_NAMES,
  SCALE_REWARDS,
  settingFlag,
  settingsIssue,
  type OptimizerSettings,
  type SettingKey,
} from '../../optimizers/settings.js';
import { parseChoice, parseNumber, type NumberRule } from '../options.js';
import { printJson, progressBar, table } from '../output.js';
import { examples, resolveTask, taskCommand } from './common.js';

/** How each flag's text becomes a setting (the flag name is the setting's kebab-case form). */
type Parser = (flag: string, text: string) => OptimizerSettings[SettingKey];

const num = (rule: NumberRule): Parser => (flag, text) => parseNumber(flag, text, rule);
const orNone = (rule: NumberRule): Parser => (flag, text) => (text === 'none' ? null : parseNumber(flag, text, rule));
const choice = (allowed: readonly string[]): Parser => (flag, text) => parseChoice(flag, text, allowed) as OptimizerSettings[SettingKey];
const onOff: Parser = (flag, text) => parseChoice(flag, text, ['on', 'off'] as const) === 'on';

const PARSERS: Partial<Record<SettingKey, { parse: Parser; arg: string; help: string }>> = {
  lr: { parse: num({ gt: 0 }), arg: 'η', help: 'step size (η for npg; Adam/SGD learning rate otherwise)' },
  groupSize: { parse: num({ integer: true, min: 1 }), arg: 'G', help: 'completions per prompt (≥ 2 for group baselines)' },
  epochs: { parse: num({ integer: true, min: 1 }), arg: 'N', help: 'passes over each sampled batch (ppo_epochs)' },
  minibatches: { parse: num({ integer: true, min: 1 }), arg: 'M', help: 'updates per pass' },
  beta: { parse: num({ min: 0 }), arg: 'β', help: 'reference-KL coefficient; klToGibbs is against π*_β (0 allowed)' },
  klEstimator: { parse: choice(KL_ESTIMATORS), arg: 'k', help: KL_ESTIMATORS.join(' | ') },
  klIn: { parse: choice(KL_PLACEMENTS), arg: 'where', help: 'reward | loss' },
  from: { parse: choice(['ref', 'uniform']), arg: 'start', help: 'initial policy: ref | uniform' },
  scaleRewards: { parse: choice(SCALE_REWARDS), arg: 'how', help: 'GRPO std scale: group | batch | none' },
  stdEps: { parse: num({ gt: 0 }), arg: 'ε', help: 'ε added to the group std' },
  whitenAdvantages: { parse: onOff, arg: 'on|off', help: 'whiten advantages over the batch' },
  lossMode: { parse: choice(LOSS_MODES), arg: 'mode', help: 'vanilla (PPO clip) | gpg (−A·log π)' },
  clipRatioLow: { parse: num({ gt: 0, max: 1 }), arg: 'ε', help: 'lower clip ε_low' },
  clipRatioHigh: { parse: num({ gt: 0 }), arg: 'ε', help: 'upper clip ε_high (clip-higher)' },
  clipRatioC: { parse: orNone({ gt: 1 }), arg: 'c', help: 'dual clip c > 1 for A < 0, or none' },
  lossAggMode: { parse: choice(LOSS_AGG_MODES), arg: 'mode', help: LOSS_AGG_MODES.join(' | ') },
  lossScaleFactor: { parse: orNone({ gt: 0 }), arg: 'L', help: 'L of seq-mean-token-sum-norm, or none (the horizon)' },
  filterGroups: { parse: onOff, arg: 'on|off', help: 'dynamic sampling: drop groups whose rewards all tie' },
  maxNumGenBatches: { parse: num({ integer: true, min: 1 }), arg: 'N', help: 'generation batches dynamic sampling may draw' },
  gamma: { parse: num({ gt: 0, max: 1 }), arg: 'γ', help: 'GAE discount' },
  lam: { parse: num({ min: 0, max: 1 }), arg: 'λ', help: 'GAE λ' },
  valueLr: { parse: num({ gt: 0, max: 1 }), arg: 'α', help: 'step of the tabular critic toward the mean return' },
  maxKl: { parse: num({ gt: 0 }), arg: 'δ', help: 'TRPO trust region on KL(π_old‖π)' },
  cgIters: { parse: num({ integer: true, min: 1 }), arg: 'N', help: 'conjugate-gradient iterations' },
  cgDamping: { parse: num({ min: 0 }), arg: 'λ', help: 'Fisher damping' },
  backtrackCoef: { parse: num({ gt: 0, lt: 1 }), arg: 'c', help: 'line-search shrink factor' },
  backtrackIters: { parse: num({ integer: true, min: 1 }), arg: 'N', help: 'line-search steps' },
  optimizerKind: { parse: choice(OPTIMIZER_KINDS), arg: 'kind', help: 'adam | sgd on the logits' },
  adamBeta1: { parse: num({ min: 0, lt: 1 }), arg: 'β1', help: 'Adam β1' },
  adamBeta2: { parse: num({ min: 0, lt: 1 }), arg: 'β2', help: 'Adam β2' },
  adamEps: { parse: num({ gt: 0 }), arg: 'ε', help: 'Adam ε' },
};

/** Commander's camelCase option key of a setting flag (`--clip-ratio-c` → `clipRatioC`). */
function optionKey(key: SettingKey): string {
  return settingFlag(key)
    .slice(2)
    .replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function defaultsTable(): string {
  const keys = Object.keys(PARSERS) as SettingKey[];
  const show = (v: unknown) => (v === null ? 'none' : typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v));
  const rows = OPTIMIZER_NAMES.map((n) => {
    const spec = OPTIMIZERS[n];
    const set = keys.filter((k) => spec.knobs.includes(k) && k !== 'from');
    return `  ${n.padEnd(9)} ${set.map((k) => `${settingFlag(k).slice(2)}=${show(spec.defaults[k])}`).join(' ')}\n            (${spec.peer})`;
  });
  return `\nOptimizers and their defaults (flags an optimizer does not read are refused):\n${rows.join('\n')}\n`;
}

interface OptimizeOpts {
  optimizer: string;
  steps: string;
  seed: string;
  exact?: boolean;
  json?: boolean;
  task?: string;
  [flag: string]: string | boolean | undefined;
}

export function registerOptimize(program: Command): void {
  const cmd = taskCommand(program, 'optimize', 'a practical optimizer (NPG, TRPO, PPO, REINFORCE, RLOO, GRPO, Dr. GRPO, DAPO) on a tabular softmax policy, with exact diagnostics')
    .description(
      'Runs a practical optimizer on a tabular softmax policy (logits per prompt; per step and state for chains)\n' +
        'from sampled groups of completions, and records per step, exactly: KL to π*_β, free-energy gap, success,\n' +
        'expected reward, entropy, ref-KL (next to the estimator\'s sampled value), proximal KL both ways, the alignment\n' +
        '(Fisher cosine between the realized logit update and the exact mirror-descent update with η = --lr), the exact\n' +
        'entropy change and its first-order prediction −Cov(log π, Δz), all-tie fraction and clip fractions.\n' +
        'Per-update entries are null at step 0. --exact uses exact expectations (npg --exact is mirror descent).',
    )
    .requiredOption('--optimizer <name>', OPTIMIZER_NAMES.join(' | '))
    .requiredOption('--steps <N>', 'number of steps')
    .option('--seed <S>', 'random seed (an integer)', '0')
    .option('--exact', 'exact expectations instead of sampled batches (where defined)');
  for (const [key, p] of Object.entries(PARSERS) as [SettingKey, NonNullable<(typeof PARSERS)[SettingKey]>][]) {
    cmd.option(`${settingFlag(key)} <${p.arg}>`, p.help);
  }
  cmd
    .addHelpText(
      'after',
      examples([
        'gibbslab optimize examples/binary.yaml --optimizer npg --exact --beta 0.5 --lr 0.5 --steps 20',
        'gibbslab optimize examples/bandit.yaml --optimizer grpo --beta 0.5 --kl-estimator k1 --kl-in reward --steps 2000 --json',
        'gibbslab optimize examples/chain.yaml --optimizer ppo --beta 0.05 --epochs 2 --minibatches 4 --steps 500',
        'gibbslab optimize examples/bandit.yaml --optimizer trpo --beta 0.5 --max-kl 0.02 --steps 200',
      ]) + defaultsTable(),
    )
    .action((file: string | undefined, opts: OptimizeOpts) => {
      const name = parseChoice('--optimizer', opts.optimizer, OPTIMIZER_NAMES);
      const steps = parseNumber('--steps', opts.steps, { integer: true, min: 0, max: 10_000_000 });
      const seed = parseNumber('--seed', opts.seed, { integer: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
      const spec = OPTIMIZERS[name];
      const overrides: Partial<OptimizerSettings> = {};
      const given: [SettingKey, string][] = (Object.keys(PARSERS) as SettingKey[])
        .filter((k) => opts[optionKey(k)] !== undefined)
        .map((k) => [k, opts[optionKey(k)] as string]);
      if (opts.exact) given.push(['exact', 'true']);
      for (const [key, text] of given) {
        if (!spec.knobs.includes(key)) {
          throw new UsageError(`${settingFlag(key)}: not a setting of ${name} (it reads ${spec.knobs.map((k) => settingFlag(k)).join(', ')})`);
        }
        (overrides as Record<string, unknown>)[key] = key === 'exact' ? true : PARSERS[key]!.parse(settingFlag(key), text);
      }
      const settings = resolveSettings(name, overrides);
      const issue = settingsIssue(settings);
      if (issue) throw new UsageError(`${settingFlag(issue.key)} = ${JSON.stringify(issue.value)}: ${issue.message}`);
      const { task, world } = resolveTask(file, opts);
      const bar = progressBar(`optimize ${name}`, opts.json ?? false);
      let result;
      try {
        result = optimize(world, settings, { steps, seed, onProgress: (d, t) => bar.update(d, t) });
      } catch (e) {
        if (e instanceof RangeError) throw new UsageError(`task: ${e.message}`);
        throw e;
      } finally {
        bar.stop();
      }
      if (!(task.kind === 'bandit' || task.kind === 'binary')) delete result.finalPolicy;
      if (opts.json) return printJson(result);
      const every = Math.max(1, Math.ceil(result.step.length / 25));
      console.log(`${name}: ${spec.summary} — β = ${settings.beta}, ${settings.klEstimator} in the ${settings.klIn}, G = ${settings.groupSize}, lr = ${settings.lr}${settings.exact ? ', exact' : ''}`);
      const r = result;
      console.log(
        table(
          ['step', 'klToGibbs', 'success', 'entropy', 'refKl', 'refKlEstimate', 'proximalKl', 'alignment'],
          r.step
            .map((s, i) => [s, r.klToGibbs[i], r.success[i], r.entropy[i], r.refKl[i], r.refKlEstimate[i], r.proximalKl[i], r.alignment[i]])
            .filter((_, i) => i % every === 0 || i === r.step.length - 1),
        ),
      );
    });
}
