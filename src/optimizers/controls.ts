import type { SampledStats } from '../diagnostics/ladder.js';
import { adaptEntropyCoef, gatedEntropyCoef } from '../entropy/adaptive.js';
import { covarianceScores, tokenQuota } from '../entropy/covariance.js';
import { scheduleFactor } from '../entropy/schedule.js';
import { randomPick, selectTop, selectTopMass } from '../entropy/selection.js';
import type { Rng } from '../numerics/rng.js';
import type { TabularPolicy } from '../policies/tabular.js';
import type { TokenBatch } from './batch.js';
import { pgTerm, ppoRatioClipped, ppoTerm, type ClipRange, type LossTerm, type UpdateStats } from './losses.js';
import type { OptimizerSettings } from './settings.js';

/**
 * The entropy controls as loss terms (docs/entropy.md): an entropy bonus (constant, scheduled or
 * TRL's adaptive coefficient), and Clip-Cov / KL-Cov with verl's semantics (ANCHORS §3.3–3.4),
 * optionally annealed. They act through the pipeline's term list, so every optimizer built on it
 * has them; npg --exact takes the bonus into its exact step's gain (`addEntropyGain`).
 *
 * Per-step values (α after schedule or gate, the covariance controls' ratio and coefficient) are
 * fixed when a step's batch is collected (`ControlClock.begin`) and read from `b.controls` by the
 * terms, so every update of a step applies the same values, as TRL applies one coefficient per
 * optimizer step.
 */

/** Entropies H(π(·|r)) of rows on demand, computed once per row and policy state (`reset` after every policy change). */
export class RowEntropies {
  private H = new Float64Array(0);
  private stamp = new Int32Array(0);
  private now = 0;
  private policy: TabularPolicy | null = null;

  reset(policy: TabularPolicy): void {
    if (this.H.length < policy.layout.rows) {
      this.H = new Float64Array(policy.layout.rows);
      this.stamp = new Int32Array(policy.layout.rows);
    }
    this.policy = policy;
    this.now++;
  }

  /** H(π(·|r)) = −Σ_e π_e·log π_e over the row's tokens (an entry of multiplicity m counts m tokens: `prob` includes m). */
  of(r: number): number {
    if (this.stamp[r] === this.now) return this.H[r];
    const { prob, logp, layout } = this.policy!;
    let h = 0;
    for (let e = layout.rowOffset[r]; e < layout.rowOffset[r + 1]; e++) if (prob[e] > 0) h -= prob[e] * logp[e];
    this.H[r] = h;
    this.stamp[r] = this.now;
    return h;
  }
}

/** True when a setting turns the entropy bonus on (a coefficient, or TRL's adaptive controller). */
export function entropyBonusOn(s: OptimizerSettings): boolean {
  return s.entropyCoef > 0 || s.useAdaptiveEntropy;
}

/**
 * The clock of the controls: one per optimizer (its Rollout holds it). `begin` runs when a step's
 * batch is collected: it advances the step count, fixes the step's α (schedule, or TRL's adaptive
 * update from the previous step's measured entropy) and the covariance controls' annealed ratio and
 * coefficient, and reports α.
 */
export class ControlClock {
  private coef: number;
  /** Mean per-token entropy of the previous step's batch (TRL's `_last_world_entropy`); NaN before the first step. */
  private lastEntropy = NaN;
  private readonly entropies = new RowEntropies();

  constructor(private readonly s: OptimizerSettings) {
    this.coef = s.entropyCoef;
  }

  begin(b: TokenBatch, policy: TabularPolicy, rng: Rng, stats: SampledStats): void {
    const s = this.s;
    b.step++;
    b.rng = rng;
    const k = b.step - 1;
    // optimize() resolves a null horizon to the run's steps; a pipeline driven by hand without one anneals nothing.
    const T = s.annealSteps ?? Infinity;
    let alpha: number;
    if (s.useAdaptiveEntropy) {
      // TRL: the coefficient moves after each step and the bonus is gated on that step's entropy; before any measurement the gate is open.
      if (!Number.isNaN(this.lastEntropy)) this.coef = adaptEntropyCoef(this.coef, this.lastEntropy, { min: s.entropyCoefMin, max: s.entropyCoefMax, delta: s.entropyCoefDelta, target: s.entropyTarget });
      alpha = Number.isNaN(this.lastEntropy) ? this.coef : gatedEntropyCoef(this.coef, this.lastEntropy, s.entropyTarget);
      this.lastEntropy = this.batchEntropy(b, policy);
    } else alpha = s.entropyCoef * scheduleFactor(s.entropySchedule, k, T);
    const f = s.covAnneal === 'off' ? 1 : scheduleFactor(s.covSchedule, k, T);
    b.controls = {
      entropyCoef: alpha,
      covRatio: (s.clipCov ?? s.klCov ?? 0) * (s.covAnneal === 'ratio' ? f : 1),
      covCoef: (s.klCov !== null ? s.ppoKlCoef : 1) * (s.covAnneal === 'coef' ? f : 1),
    };
    stats.entropyCoef = entropyBonusOn(s) ? alpha : NaN;
  }

  /** Mean per-token entropy of the batch at the policy it was drawn from (TRL's measured `entropy`; exact mode: its expectation). */
  private batchEntropy(b: TokenBatch, policy: TabularPolicy): number {
    this.entropies.reset(policy);
    let h = 0;
    let m = 0;
    for (let t = 0; t < b.tokens; t++) {
      h += b.mass[t] * this.entropies.of(b.row[t]);
      m += b.mass[t];
    }
    return h / m;
  }
}

/**
 * The entropy bonus: ℓ_t = −α·H(π(·|s_t)), aggregated like the policy loss (verl: loss −=
 * entropy_coeff·agg_loss(entropy)). Its gradient is the exact one of the row entropy,
 * ∂H/∂z_e = −π_e·(log π_e + H) (F32), on every entry of the row, not a sampled estimate; the state
 * distribution is held fixed, as in the libraries (no gradient through which states are visited).
 */
export function entropyBonusTerm(): LossTerm {
  const H = new RowEntropies();
  let rowWeight = new Float64Array(0);
  return {
    name: 'entropy-bonus',
    apply(b, from, to, value, _dlogp, _stats, policy) {
      const alpha = b.controls.entropyCoef;
      if (alpha === 0) return;
      H.reset(policy);
      for (let t = from; t < to; t++) value[t] -= alpha * H.of(b.row[t]);
    },
    logitGradient(policy, b, from, to, grad) {
      const alpha = b.controls.entropyCoef;
      if (alpha === 0) return;
      const { rows, rowOffset } = policy.layout;
      if (rowWeight.length < rows) rowWeight = new Float64Array(rows);
      // Per row the total weight of its tokens (rows are not listed as met: zero weights would list
      // one twice and overflow the list, as happened in the loss pipeline's chain rule).
      rowWeight.fill(0);
      for (let t = from; t < to; t++) rowWeight[b.row[t]] += b.weight[t];
      const { prob, logp } = policy;
      for (let r = 0; r < rows; r++) {
        if (rowWeight[r] === 0) continue;
        const c = alpha * rowWeight[r];
        const h = H.of(r);
        for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) if (prob[e] > 0) grad[e] += c * prob[e] * (logp[e] + h);
      }
    },
  };
}

/** α·Σ_t w_t·H(π(·|s_t)): the bonus's part of an objective at `policy`, on the weights of the last gradient call (TRPO's line search). */
export function entropyBonusValue(policy: TabularPolicy, b: TokenBatch, H: RowEntropies): number {
  const alpha = b.controls.entropyCoef;
  if (alpha === 0) return 0;
  H.reset(policy);
  let v = 0;
  for (let t = 0; t < b.tokens; t++) v += b.weight[t] * H.of(b.row[t]);
  return alpha * v;
}

/** Adds −α·log π to an exact step's per-token gain: the natural gradient of α·H (F30's form), so npg --exact converges to π_{τ,α} (F33). */
export function addEntropyGain(policy: TabularPolicy, alpha: number, gain: Float64Array): Float64Array {
  if (alpha === 0) return gain;
  for (let e = 0; e < gain.length; e++) if (policy.logp[e] !== -Infinity) gain[e] -= alpha * policy.logp[e];
  return gain;
}

/** The fraction of the step's token mass a covariance control selected (NaN when none is on). */
export function selectionFraction(upd: UpdateStats): number {
  return upd.covSelected === undefined ? NaN : upd.covSelected / upd.mass;
}

/**
 * Splits the tokens [from, to) of an update into selection scopes: its micro-batches (completions
 * split evenly, as gradient accumulation splits a mini-batch) when `covScope` is micro, else the
 * whole span. An exact batch is one scope: it has no micro-batches.
 */
function forEachScope(b: TokenBatch, from: number, to: number, s: OptimizerSettings, f: (t0: number, t1: number, scope: number) => void): void {
  if (b.exact || s.covScope === 'mini' || s.microBatches === 1) return f(from, to, 0);
  const c0 = completionAt(b, from);
  const C = completionAt(b, to) - c0;
  for (let i = 0; i < s.microBatches; i++) {
    const t0 = b.tokenStart[c0 + Math.floor((i * C) / s.microBatches)];
    const t1 = b.tokenStart[c0 + Math.floor(((i + 1) * C) / s.microBatches)];
    if (t1 > t0) f(t0, t1, i);
  }
}

/** The completion whose first token is t (t = tokens: one past the last completion), by binary search. */
function completionAt(b: TokenBatch, t: number): number {
  let lo = 0;
  let hi = b.completions;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b.tokenStart[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scratch buffers of a covariance control, grown with the batch. */
class Scratch {
  score = new Float64Array(16);
  idx = new Int32Array(16);
  value = new Float64Array(16);
  dlogp = new Float64Array(16);

  fit(n: number): void {
    if (n <= this.score.length) return;
    const m = Math.max(n, 2 * this.score.length);
    this.score = new Float64Array(m);
    this.idx = new Int32Array(m);
    this.value = new Float64Array(m);
    this.dlogp = new Float64Array(m);
  }
}

/** Counts a term's updates within a step, so each update draws from its own named stream. */
function updateCounter(): (b: TokenBatch) => number {
  let step = -1;
  let update = 0;
  return (b) => {
    if (b.step !== step) {
      step = b.step;
      update = 0;
    }
    return update++;
  };
}

/**
 * Clip-Cov (verl `compute_policy_loss_clip_cov`): within each scope, tokens whose score lies in
 * (clip_cov_lb, clip_cov_ub) and that the ratio clip has not already clipped are candidates; n =
 * max(⌊ratio·N⌋, 1) of them, drawn uniformly (from the step's Rng), lose their whole loss term and
 * its gradient (they still count in the aggregation's denominator). `covCoef` < 1 (an annealed
 * coefficient) keeps that fraction of a selected token's term. In an exact batch every candidate
 * keeps 1 − q of its term, q = min(1, ratio·M/M_cand) the expected fraction of candidates drawn
 * (token counts replaced by their expected masses; the one-token floor has no expectation form).
 */
function clipCovTerm(base: LossTerm, clip: ClipRange | null, s: OptimizerSettings): LossTerm {
  const x = new Scratch();
  const nextUpdate = updateCounter();
  return {
    name: `clip-cov(${base.name})`,
    apply(b, from, to, value, dlogp, stats, policy) {
      x.fit(b.tokens);
      x.value.fill(0, from, to);
      x.dlogp.fill(0, from, to);
      base.apply(b, from, to, x.value, x.dlogp, stats, policy);
      const { covRatio: ratio, covCoef: strength } = b.controls;
      const update = nextUpdate(b);
      let selected = 0;
      forEachScope(b, from, to, s, (t0, t1, scope) => {
        covarianceScores(b.logp, b.adv, b.mass, t0, t1, x.score);
        let m = 0;
        let candMass = 0;
        let scopeMass = 0;
        for (let t = t0; t < t1; t++) {
          scopeMass += b.mass[t];
          const c = x.score[t];
          if (!(c > s.clipCovLb && c < s.clipCovUb)) continue;
          if (clip && ppoRatioClipped(b.logp[t] - b.logpOld[t], b.adv[t], clip)) continue;
          x.idx[m++] = t;
          candMass += b.mass[t];
        }
        if (m === 0) return;
        if (b.exact) {
          const q = Math.min(1, (ratio * scopeMass) / candMass);
          for (let i = 0; i < m; i++) scale(x, x.idx[i], 1 - strength * q);
          selected += q * candMass;
          return;
        }
        const n = Math.min(tokenQuota(ratio, t1 - t0), m);
        if (!b.rng) throw new Error('clip-cov: the batch has no step stream (collect it with a Rollout)');
        randomPick(x.idx, m, n, b.rng.split('clip-cov', update, scope));
        for (let i = 0; i < n; i++) {
          scale(x, x.idx[i], 1 - strength);
          selected += b.mass[x.idx[i]];
        }
      });
      for (let t = from; t < to; t++) {
        value[t] += x.value[t];
        dlogp[t] += x.dlogp[t];
      }
      stats.covSelected = (stats.covSelected ?? 0) + selected;
    },
  };
}

function scale(x: Scratch, t: number, keep: number): void {
  x.value[t] *= keep;
  x.dlogp[t] *= keep;
}

/**
 * KL-Cov (verl `compute_policy_loss_kl_cov`): within each scope, the top k = max(⌊ratio·N⌋, 1)
 * tokens by score (quickselect, not a sort) get the penalty coef·|log π − log π_old| added to their
 * loss. On the first update of a step π = π_old, so the penalty and its subgradient (0 at 0, as
 * torch's) vanish: KL-Cov acts only from the second mini-batch or epoch on (PRIME #1). In an exact
 * batch the selected set is the top ratio·M of the mass, the boundary entry taken fractionally.
 */
function klCovTerm(base: LossTerm, s: OptimizerSettings): LossTerm {
  const x = new Scratch();
  return {
    name: `kl-cov(${base.name})`,
    apply(b, from, to, value, dlogp, stats, policy) {
      base.apply(b, from, to, value, dlogp, stats, policy);
      x.fit(b.tokens);
      const { covRatio: ratio, covCoef: coef } = b.controls;
      let selected = 0;
      const penalize = (t: number, share: number) => {
        const d = b.logp[t] - b.logpOld[t];
        value[t] += share * coef * Math.abs(d);
        dlogp[t] += share * coef * Math.sign(d);
        selected += share * b.mass[t];
      };
      forEachScope(b, from, to, s, (t0, t1) => {
        covarianceScores(b.logp, b.adv, b.mass, t0, t1, x.score);
        const n = t1 - t0;
        for (let i = 0; i < n; i++) x.idx[i] = t0 + i;
        if (b.exact) {
          let scopeMass = 0;
          for (let t = t0; t < t1; t++) scopeMass += b.mass[t];
          const cut = selectTopMass(x.score, b.mass, x.idx, n, ratio * scopeMass);
          for (let i = 0; i < cut.count; i++) penalize(x.idx[i], 1);
          if (cut.fraction > 0) penalize(x.idx[cut.count], cut.fraction);
          return;
        }
        const k = Math.min(tokenQuota(ratio, n), n);
        selectTop(x.score, x.idx, n, k);
        for (let i = 0; i < k; i++) penalize(x.idx[i], 1);
      });
      stats.covSelected = (stats.covSelected ?? 0) + selected;
    },
  };
}

/** verl's KL-Cov base loss: the importance ratio without any clip (−A·r). */
const UNCLIPPED: ClipRange = { low: 1, high: Infinity, dual: null };

/**
 * The policy term of a covariance control, or null when neither is on. As in verl, Clip-Cov's base
 * is the ratio clip without the dual clip and KL-Cov's the unclipped ratio; with `gpg` (−A·log π,
 * npg and trpo) both wrap that term.
 */
export function covarianceControl(s: OptimizerSettings): LossTerm | null {
  const gpg = s.lossMode === 'gpg';
  if (s.clipCov !== null) {
    const clip: ClipRange = { low: s.clipRatioLow, high: s.clipRatioHigh, dual: null };
    return clipCovTerm(gpg ? pgTerm() : ppoTerm(clip), gpg ? null : clip, s);
  }
  if (s.klCov !== null) return klCovTerm(gpg ? pgTerm() : ppoTerm(UNCLIPPED), s);
  return null;
}
