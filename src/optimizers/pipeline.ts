import type { SampledStats } from '../diagnostics/ladder.js';
import type { Rng } from '../numerics/rng.js';
import { exactAdvantages, occupancy } from '../policies/evaluate.js';
import type { PolicyLayout } from '../policies/layout.js';
import { CompletionBatch, Sampler } from '../policies/sampling.js';
import type { TabularPolicy } from '../policies/tabular.js';
import { gae, grpoAdvantages, rlooAdvantages, whiten } from './advantages.js';
import { aggregationWeights, exactAggregationWeights } from './aggregation.js';
import { TokenBatch } from './batch.js';
import { ControlClock, covarianceControl, entropyBonusOn, entropyBonusTerm, selectionFraction } from './controls.js';
import { tieProbability } from './exact.js';
import { klValue } from './kl.js';
import { klLossTerm, pgTerm, ppoTerm, type LossTerm, type UpdateStats } from './losses.js';
import type { OptimizerName, OptimizerSettings, SettingKey } from './settings.js';
import { adam, sgd, type LogitTransform } from './transforms.js';

/** What one optimizer step reports besides the policy change (NaN where it does not apply). */
export type StepStats = SampledStats;

export function emptyStepStats(): StepStats {
  return { refKlEstimate: NaN, allTieFraction: NaN, clipFraction: NaN, clipFractionLower: NaN, entropyCoef: NaN, covSelected: NaN };
}

export interface OptimizerInstance {
  /** One step: sample (or take expectations) from `policy` and update it in place. */
  step(policy: TabularPolicy, rng: Rng, stats: StepStats): void;
}

/** An optimizer: its peer, defaults, the settings it reads, and how to build it. */
export interface OptimizerSpec {
  name: OptimizerName;
  summary: string;
  /** Where the defaults come from. */
  peer: string;
  defaults: OptimizerSettings;
  knobs: readonly SettingKey[];
  create(layout: PolicyLayout, settings: OptimizerSettings): OptimizerInstance;
}

/** The entropy controls (src/optimizers/controls.ts): every optimizer reads them. */
export const CONTROL_KNOBS: readonly SettingKey[] = [
  'entropyCoef',
  'entropySchedule',
  'annealSteps',
  'useAdaptiveEntropy',
  'entropyCoefMin',
  'entropyCoefMax',
  'entropyCoefDelta',
  'entropyTarget',
  'clipCov',
  'clipCovLb',
  'clipCovUb',
  'klCov',
  'ppoKlCoef',
  'covScope',
  'microBatches',
  'covAnneal',
  'covSchedule',
];
/** Settings every optimizer reads. */
export const COMMON_KNOBS: readonly SettingKey[] = ['lr', 'groupSize', 'beta', 'klEstimator', 'klIn', 'exact', 'from', ...CONTROL_KNOBS];
/** Settings of the sampled-loss optimizers (PPO family and REINFORCE family). */
export const LOSS_KNOBS: readonly SettingKey[] = [
  ...COMMON_KNOBS,
  'epochs',
  'minibatches',
  'lossMode',
  'clipRatioLow',
  'clipRatioHigh',
  'clipRatioC',
  'lossAggMode',
  'lossScaleFactor',
  'whitenAdvantages',
  'optimizerKind',
  'adamBeta1',
  'adamBeta2',
  'adamEps',
];

/**
 * Collects one step's data into a TokenBatch: groups of G completions per prompt (or exact
 * expectations), the reference KL placed in the reward when asked, and advantages from the
 * configured estimator. Keeps π_old's occupancy for natural-gradient methods.
 */
export class Rollout {
  readonly batch = new TokenBatch();
  readonly occupancy: Float64Array;
  private readonly sampler: Sampler;
  private readonly completions = new CompletionBatch();
  /** Tabular critic V(row) (GAE), and per-row accumulators of its targets. */
  private readonly critic: Float64Array | null;
  private readonly targetSum: Float64Array | null;
  private readonly targetCount: Float64Array | null;
  private readonly entryReward: Float64Array;
  private readonly entryAdv: Float64Array;
  private readonly rowValue: Float64Array;
  private readonly controls: ControlClock;

  constructor(
    private readonly layout: PolicyLayout,
    private readonly s: OptimizerSettings,
  ) {
    this.occupancy = new Float64Array(layout.rows);
    this.sampler = new Sampler(layout);
    const gaeCritic = s.advantage === 'gae' && !s.exact;
    this.critic = gaeCritic ? new Float64Array(layout.rows) : null;
    this.targetSum = gaeCritic ? new Float64Array(layout.rows) : null;
    this.targetCount = gaeCritic ? new Float64Array(layout.rows) : null;
    const n = s.exact ? layout.entries : 0;
    this.entryReward = new Float64Array(n);
    this.entryAdv = new Float64Array(n);
    this.rowValue = new Float64Array(s.exact ? layout.rows : 0);
    this.controls = new ControlClock(s);
  }

  collect(policy: TabularPolicy, rng: Rng, stats: StepStats): void {
    occupancy(policy, this.occupancy);
    if (this.s.exact) this.collectExact(policy, stats);
    else this.collectSampled(policy, rng, stats);
    if (this.s.whitenAdvantages) whiten(this.batch.adv, 0, this.batch.tokens, this.s.exact ? this.batch.mass : null);
    this.controls.begin(this.batch, policy, rng, stats);
  }

  /** Reward-placed KL shaping of one token: −β·k(log π_old − log π_ref). */
  private shaping(logpOld: number, logpRef: number): number {
    const { beta, klIn, klEstimator } = this.s;
    return klIn === 'reward' && beta > 0 ? -beta * klValue(klEstimator, logpOld - logpRef) : 0;
  }

  private collectSampled(policy: TabularPolicy, rng: Rng, stats: StepStats): void {
    const { s, layout, completions: cb } = this;
    const P = layout.startRows.length;
    const G = s.groupSize;
    cb.clear();
    this.sampler.prepare(policy);
    this.sampler.sampleGroups(P, G, (x) => rng.split('prompt', x), cb);
    let klSum = 0;
    for (let t = 0; t < cb.tokens; t++) {
      const e = cb.entry[t];
      klSum += klValue(s.klEstimator, policy.logp[e] - layout.logRef[e]);
    }
    stats.refKlEstimate = klSum / cb.completions;
    stats.allTieFraction = removeTiedGroups(cb, G, 0, false) / P;
    if (s.filterGroups) {
      // DAPO dynamic sampling: keep drawing generation batches until P groups with signal are kept.
      removeTiedGroups(cb, G, 0, true);
      for (let gen = 1; gen < s.maxNumGenBatches && cb.completions < P * G; gen++) {
        const from = cb.completions;
        const genRng = rng.split('gen', gen);
        this.sampler.sampleGroups(P, G, (x) => genRng.split('prompt', x), cb);
        removeTiedGroups(cb, G, from, true);
      }
      if (cb.completions > P * G) cb.remove(P * G, cb.completions - P * G);
    }
    this.fillFromCompletions(policy, cb);
    this.sampledAdvantages();
  }

  private fillFromCompletions(policy: TabularPolicy, cb: CompletionBatch): void {
    const b = this.batch;
    const { entryRow, logRef, reward } = this.layout;
    b.exact = false;
    b.reserve(cb.completions, cb.tokens);
    b.completions = cb.completions;
    b.tokens = cb.tokens;
    for (let i = 0; i < cb.completions; i++) {
      b.tokenStart[i] = cb.tokenStart[i];
      b.prompt[i] = cb.prompt[i];
      b.score[i] = cb.score[i];
      let ret = 0;
      for (let t = cb.tokenStart[i]; t < cb.tokenStart[i + 1]; t++) {
        const e = cb.entry[t];
        b.entry[t] = e;
        b.row[t] = entryRow[e];
        b.mass[t] = 1;
        b.logpOld[t] = policy.logp[e];
        b.logpRef[t] = logRef[e];
        b.reward[t] = reward[e] + this.shaping(b.logpOld[t], b.logpRef[t]);
        ret += b.reward[t];
      }
      b.ret[i] = ret;
    }
    b.tokenStart[cb.completions] = cb.tokens;
  }

  private sampledAdvantages(): void {
    const { s, batch: b } = this;
    const C = b.completions;
    if (s.advantage === 'gae') return this.gaeAdvantages();
    if (s.advantage === 'rloo') rlooAdvantages(b.ret, C, s.groupSize, b.completionAdv);
    // REINFORCE with the group-mean baseline is GRPO without the std division.
    else grpoAdvantages(b.ret, C, s.groupSize, s.advantage === 'grpo' ? s.scaleRewards : 'none', s.stdEps, b.completionAdv);
    for (let i = 0; i < C; i++) b.adv.fill(b.completionAdv[i], b.tokenStart[i], b.tokenStart[i + 1]);
  }

  /** GAE on the critic's values, then one step of the tabular critic toward each visited row's mean return. */
  private gaeAdvantages(): void {
    const { s, batch: b } = this;
    const critic = this.critic!;
    const sum = this.targetSum!;
    const count = this.targetCount!;
    for (let t = 0; t < b.tokens; t++) b.value[t] = critic[b.row[t]];
    for (let i = 0; i < b.completions; i++) gae(b.reward, b.value, b.tokenStart[i], b.tokenStart[i + 1], s.gamma, s.lam, b.adv, b.returns);
    for (let t = 0; t < b.tokens; t++) {
      sum[b.row[t]] += b.returns[t];
      count[b.row[t]] += 1;
    }
    for (let t = 0; t < b.tokens; t++) {
      const r = b.row[t];
      if (count[r] === 0) continue;
      critic[r] += s.valueLr * (sum[r] / count[r] - critic[r]);
      sum[r] = 0;
      count[r] = 0;
    }
  }

  private collectExact(policy: TabularPolicy, stats: StepStats): void {
    const { s, layout, batch: b, occupancy: w } = this;
    const { rows, rowOffset, logRef, reward } = layout;
    let kl = 0;
    for (let e = 0; e < layout.entries; e++) {
      this.entryReward[e] = policy.prob[e] === 0 ? 0 : reward[e] + this.shaping(policy.logp[e], logRef[e]);
    }
    exactAdvantages(policy, this.entryReward, s.advantage === 'gae' ? s.gamma : 1, this.rowValue, this.entryAdv);
    // E[mean-centred group advantage | y] = (1 − 1/G)·A(y) (F40); leave-one-out and GAE with exact values are unbiased.
    const shrink = s.advantage === 'grpo' || s.advantage === 'reinforce' ? 1 - 1 / s.groupSize : 1;
    let n = 0;
    for (let r = 0; r < rows; r++) if (w[r] > 0) for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) if (policy.prob[e] > 0) n++;
    b.exact = true;
    b.completions = 0;
    b.reserve(0, n);
    b.tokens = n;
    let t = 0;
    for (let r = 0; r < rows; r++) {
      if (w[r] === 0) continue;
      for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
        if (policy.prob[e] === 0) continue;
        b.row[t] = r;
        b.entry[t] = e;
        b.mass[t] = w[r] * policy.prob[e];
        b.logpOld[t] = policy.logp[e];
        b.logpRef[t] = logRef[e];
        b.reward[t] = this.entryReward[e];
        b.adv[t] = shrink * this.entryAdv[e];
        kl += b.mass[t] * klValue(s.klEstimator, b.logpOld[t] - b.logpRef[t]);
        t++;
      }
    }
    stats.refKlEstimate = kl;
    stats.allTieFraction = tieProbability(policy, w, s.groupSize);
  }
}

/**
 * Counts the groups of G completions from completion `from` on whose scores all tie, and with
 * `remove` drops them from the batch. Returns the count.
 */
function removeTiedGroups(cb: CompletionBatch, G: number, from: number, remove: boolean): number {
  let ties = 0;
  for (let g0 = from; g0 < cb.completions; ) {
    let tie = true;
    for (let i = g0 + 1; i < g0 + G; i++) if (cb.score[i] !== cb.score[g0]) tie = false;
    if (tie) {
      ties++;
      if (remove) {
        cb.remove(g0, G);
        continue;
      }
    }
    g0 += G;
  }
  return ties;
}

/**
 * The default loss terms of a setting: the policy loss (Clip-Cov's or KL-Cov's when one is on), the
 * reference KL when it sits in the loss, and the entropy bonus when it is on.
 */
export function defaultTerms(s: OptimizerSettings): LossTerm[] {
  const terms = [covarianceControl(s) ?? (s.lossMode === 'gpg' ? pgTerm() : ppoTerm({ low: s.clipRatioLow, high: s.clipRatioHigh, dual: s.clipRatioC }))];
  if (s.klIn === 'loss' && s.beta > 0) terms.push(klLossTerm(s.beta, s.klEstimator));
  if (entropyBonusOn(s)) terms.push(entropyBonusTerm());
  return terms;
}

/**
 * The loss stage: aggregation weights, the list of per-token terms, and the chain rule from
 * ∂ℓ/∂log π(y_t) to the logits, ∂/∂z_j log π(y|s) = 1[j = y] − π(j|s).
 */
export class LossPipeline {
  private value = new Float64Array(16);
  private dlogp = new Float64Array(16);
  private readonly rowAcc: Float64Array;

  constructor(
    private readonly layout: PolicyLayout,
    private readonly s: OptimizerSettings,
    /** Evaluated in order; a control may push, replace or wrap terms. */
    readonly terms: LossTerm[],
  ) {
    this.rowAcc = new Float64Array(layout.rows);
  }

  /** Token range of completions [c0, c1) (all tokens of an exact batch). */
  span(b: TokenBatch, c0: number, c1: number): [number, number] {
    return b.exact ? [0, b.tokens] : [b.tokenStart[c0], b.tokenStart[c1]];
  }

  /** The aggregated loss of completions [c0, c1) at the current policy; its logit gradient into `grad`. */
  gradient(policy: TabularPolicy, b: TokenBatch, c0: number, c1: number, grad: Float64Array, stats: UpdateStats): number {
    const { rows, rowOffset } = this.layout;
    const { rowAcc } = this;
    const loss = this.chainRule(policy, b, c0, c1, grad, rowAcc, stats);
    for (let r = 0; r < rows; r++) {
      const acc = rowAcc[r];
      if (acc === 0) continue;
      for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) grad[e] -= acc * policy.prob[e];
    }
    this.rowTerms(policy, b, c0, c1, grad);
    return loss;
  }

  /**
   * The same gradient in parts, for a LogitTransform to assemble in its own pass: `grad` gets the
   * tokens' entries and the row-wide terms, `rowCoef[r]` the coefficient c_r of the chain rule's
   * dense part −c_r·π(·|r) (the gradient is grad − c_r·π). Up to the order of additions when a
   * row-wide term (entropy bonus) is on, `gradient`.
   */
  gradientParts(policy: TabularPolicy, b: TokenBatch, c0: number, c1: number, grad: Float64Array, rowCoef: Float64Array, stats: UpdateStats): number {
    const loss = this.chainRule(policy, b, c0, c1, grad, rowCoef, stats);
    this.rowTerms(policy, b, c0, c1, grad);
    return loss;
  }

  /**
   * grad = Σ_t w_t·∂ℓ_t/∂log π(y_t) at the tokens' entries, and per row the same sum into `rowAcc`.
   * (Rows are not tracked by whether their sum is 0: partial sums of ±A cancel exactly, and a list
   * built that way once listed a row twice, overflowed and left rows out.)
   */
  private chainRule(policy: TabularPolicy, b: TokenBatch, c0: number, c1: number, grad: Float64Array, rowAcc: Float64Array, stats: UpdateStats): number {
    const [t0, t1] = this.span(b, c0, c1);
    const loss = this.evaluate(policy, b, c0, c1, stats);
    grad.fill(0);
    rowAcc.fill(0);
    for (let t = t0; t < t1; t++) {
      const c = b.weight[t] * this.dlogp[t];
      if (c === 0) continue;
      grad[b.entry[t]] += c;
      rowAcc[b.row[t]] += c;
    }
    return loss;
  }

  /** The terms' gradients that are not a function of log π(y_t) alone (e.g. the entropy bonus). */
  private rowTerms(policy: TabularPolicy, b: TokenBatch, c0: number, c1: number, grad: Float64Array): void {
    const [t0, t1] = this.span(b, c0, c1);
    for (const term of this.terms) term.logitGradient?.(policy, b, t0, t1, grad);
  }

  /** The aggregated loss of completions [c0, c1) at the current policy (fills per-token values and derivatives). */
  evaluate(policy: TabularPolicy, b: TokenBatch, c0: number, c1: number, stats: UpdateStats): number {
    const [t0, t1] = this.span(b, c0, c1);
    if (this.value.length < b.tokens) {
      this.value = new Float64Array(Math.max(b.tokens, 2 * this.value.length));
      this.dlogp = new Float64Array(this.value.length);
    }
    for (let t = t0; t < t1; t++) b.logp[t] = policy.logp[b.entry[t]];
    const normLength = this.s.lossScaleFactor ?? this.layout.horizon;
    if (b.exact) {
      exactAggregationWeights(this.s.lossAggMode, b, this.layout.horizon, this.layout.startRows.length * this.s.groupSize, normLength);
    } else aggregationWeights(this.s.lossAggMode, b, c0, c1, normLength);
    this.value.fill(0, t0, t1);
    this.dlogp.fill(0, t0, t1);
    for (const term of this.terms) term.apply(b, t0, t1, this.value, this.dlogp, stats, policy);
    let loss = 0;
    for (let t = t0; t < t1; t++) loss += b.weight[t] * this.value[t];
    return loss;
  }
}

export function logitTransform(layout: PolicyLayout, s: OptimizerSettings): LogitTransform {
  return s.optimizerKind === 'adam' ? adam(layout, { lr: s.lr, beta1: s.adamBeta1, beta2: s.adamBeta2, eps: s.adamEps }) : sgd(layout, s.lr);
}

/**
 * The sampled-loss optimizer every PPO/REINFORCE-family module builds on: per step one rollout,
 * then `epochs` passes of `minibatches` updates, each a gradient of the term list through Adam or
 * SGD on the logits.
 */
export function lossOptimizer(layout: PolicyLayout, s: OptimizerSettings, terms = defaultTerms(s)): OptimizerInstance {
  const rollout = new Rollout(layout, s);
  const pipeline = new LossPipeline(layout, s, terms);
  const transform = logitTransform(layout, s);
  return {
    step(policy, rng, stats) {
      rollout.collect(policy, rng, stats);
      const b = rollout.batch;
      const C = b.completions;
      const M = b.exact ? 1 : Math.min(s.minibatches, C);
      const upd: UpdateStats = { clipped: 0, dualClipped: 0, mass: 0 };
      for (let epoch = 0; epoch < s.epochs; epoch++) {
        for (let m = 0; m < M; m++) {
          pipeline.gradientParts(policy, b, Math.floor((m * C) / M), Math.floor(((m + 1) * C) / M), transform.grad, transform.rowCoef, upd);
          transform.update(policy);
        }
      }
      stats.clipFraction = s.lossMode === 'vanilla' ? upd.clipped / upd.mass : NaN;
      stats.clipFractionLower = s.lossMode === 'vanilla' && s.clipRatioC !== null ? upd.dualClipped / upd.mass : NaN;
      stats.covSelected = selectionFraction(upd);
    },
  };
}
