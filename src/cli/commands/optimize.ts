import type { Command } from 'commander';
import { UsageError } from '../../io/errors.js';
import { SCHEDULES } from '../../entropy/schedule.js';
import { KL_ESTIMATORS } from '../../optimizers/kl.js';
import { optimize, resolveSettings } from '../../optimizers/optimize.js';
import { CONTROL_KNOBS } from '../../optimizers/pipeline.js';
import { OPTIMIZERS } from '../../optimizers/registry.js';
import {
  COV_ANNEALS,
  COV_SCOPES,
  DEFAULT_CLIP_COV_RATIO,
  DEFAULT_KL_COV_RATIO,
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

/** `bare`: the flag may be given without a value, meaning this text (`--clip-cov` alone is verl's default ratio). */
const PARSERS: Partial<Record<SettingKey, { parse: Parser; arg: string; help: string; bare?: string }>> = {
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
  entropyCoef: { parse: num({ min: 0 }), arg: 'α', help: 'entropy bonus: loss −= α·agg(H(π(·|s_t))) (verl entropy_coeff, TRL entropy_coef)' },
  entropySchedule: { parse: choice(SCHEDULES), arg: 'how', help: `α over the run: ${SCHEDULES.join(' | ')} (linear/cosine reach 0 at --anneal-steps; inverse is α/(1+k))` },
  annealSteps: { parse: orNone({ integer: true, min: 1 }), arg: 'T', help: 'steps over which linear/cosine schedules reach 0, or none (the run’s steps)' },
  useAdaptiveEntropy: { parse: onOff, arg: 'on|off', help: 'TRL adaptive α: ±delta per step toward --entropy-target, applied only while H ≤ target' },
  entropyCoefMin: { parse: num({ min: 0 }), arg: 'α', help: 'adaptive α lower bound' },
  entropyCoefMax: { parse: num({ min: 0 }), arg: 'α', help: 'adaptive α upper bound' },
  entropyCoefDelta: { parse: num({ min: 0 }), arg: 'δ', help: 'adaptive α step' },
  entropyTarget: { parse: num({ min: 0 }), arg: 'H', help: 'adaptive target: mean per-token entropy (nats)' },
  clipCov: { parse: orNone({ gt: 0, max: 1 }), arg: 'ratio', help: `Clip-Cov: detach a random ratio of the tokens whose covariance score is in (lb, ub) (alone: ${DEFAULT_CLIP_COV_RATIO})`, bare: String(DEFAULT_CLIP_COV_RATIO) },
  clipCovLb: { parse: num({}), arg: 'c', help: 'Clip-Cov band, lower end' },
  clipCovUb: { parse: num({}), arg: 'c', help: 'Clip-Cov band, upper end (> lb)' },
  klCov: { parse: orNone({ gt: 0, max: 1 }), arg: 'ratio', help: `KL-Cov: penalize |log π − log π_old| on the top ratio of tokens by covariance score (alone: ${DEFAULT_KL_COV_RATIO})`, bare: String(DEFAULT_KL_COV_RATIO) },
  ppoKlCoef: { parse: num({ min: 0 }), arg: 'β', help: 'KL-Cov penalty coefficient' },
  covScope: { parse: choice(COV_SCOPES), arg: 'where', help: 'Clip-Cov/KL-Cov select per micro-batch (verl, PRIME) or per mini-batch (verl PR #7830)' },
  microBatches: { parse: num({ integer: true, min: 1 }), arg: 'K', help: 'micro-batches per mini-batch (the selection scope of --cov-scope micro)' },
  covAnneal: { parse: choice(COV_ANNEALS), arg: 'what', help: 'anneal Clip-Cov/KL-Cov to 0: off | ratio | coef (on --cov-schedule)' },
  covSchedule: { parse: choice(SCHEDULES), arg: 'how', help: `schedule of --cov-anneal: ${SCHEDULES.join(' | ')}` },
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
    const set = keys.filter((k) => spec.knobs.includes(k) && k !== 'from' && !CONTROL_KNOBS.includes(k));
    return `  ${n.padEnd(9)} ${set.map((k) => `${settingFlag(k).slice(2)}=${show(spec.defaults[k])}`).join(' ')}\n            (${spec.peer})`;
  });
  const controls = CONTROL_KNOBS.map((k) => `${settingFlag(k).slice(2)}=${show(OPTIMIZERS.grpo.defaults[k])}`).join(' ');
  return (
    `\nOptimizers and their defaults (flags an optimizer does not read are refused):\n${rows.join('\n')}\n` +
    `\nEntropy controls, read by every optimizer (docs/entropy.md):\n  ${controls}\n`
  );
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
        'entropy change and its first-order prediction −Cov(log π, Δz) (with the vanilla-PG and NPG forms −η·Cov(log π, π·A)\n' +
        'and −η·Cov(log π, A) at η = --lr), all-tie fraction and clip fractions, and the entropy controls\' α and selected fraction.\n' +
        'Per-update entries are null at step 0. --exact uses exact expectations (npg --exact is mirror descent).',
    )
    .requiredOption('--optimizer <name>', OPTIMIZER_NAMES.join(' | '))
    .requiredOption('--steps <N>', 'number of steps')
    .option('--seed <S>', 'random seed (an integer)', '0')
    .option('--exact', 'exact expectations instead of sampled batches (where defined)');
  for (const [key, p] of Object.entries(PARSERS) as [SettingKey, NonNullable<(typeof PARSERS)[SettingKey]>][]) {
    cmd.option(p.bare ? `${settingFlag(key)} [${p.arg}]` : `${settingFlag(key)} <${p.arg}>`, p.help);
  }
  cmd
    .addHelpText(
      'after',
      examples([
        'gibbslab optimize examples/binary.yaml --optimizer npg --exact --beta 0.5 --lr 0.5 --steps 20',
        'gibbslab optimize examples/bandit.yaml --optimizer grpo --beta 0.5 --kl-estimator k1 --kl-in reward --steps 2000 --json',
        'gibbslab optimize examples/chain.yaml --optimizer ppo --beta 0.05 --epochs 2 --minibatches 4 --steps 500',
        'gibbslab optimize examples/bandit.yaml --optimizer trpo --beta 0.5 --max-kl 0.02 --steps 200',
        'gibbslab optimize examples/bandit.yaml --optimizer npg --exact --beta 0.5 --entropy-coef 0.1 --steps 100',
        'gibbslab optimize examples/chain.yaml --optimizer grpo --clip-cov 0.02 --minibatches 4 --micro-batches 2 --steps 200',
        'gibbslab optimize examples/chain.yaml --optimizer dapo --kl-cov --ppo-kl-coef 1 --epochs 2 --cov-anneal coef --steps 200',
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
        .map((k) => [k, opts[optionKey(k)] === true ? PARSERS[k]!.bare! : (opts[optionKey(k)] as string)]);
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
