import type { TabularPolicy } from '../policies/tabular.js';
import type { TokenBatch } from './batch.js';
import { klGradient, klValue, type KlEstimator } from './kl.js';

/**
 * Per-token policy losses and the loss-term list they are composed into.
 *
 * A term writes, for each token t of a span, its loss ℓ_t into `value[t]` and ∂ℓ_t/∂log π(y_t)
 * into `dlogp[t]` (added to what earlier terms wrote); the pipeline then forms Σ_t w_t·ℓ_t and its
 * logit gradient Σ_t w_t·∂ℓ_t/∂log π(y_t)·(e_{y_t} − π(·|s_t)). Controls (entropy bonus, Clip-Cov,
 * KL-Cov) are further terms, or wrap a term and change its tokens' contributions.
 */
export interface UpdateStats {
  /** Σ mass of tokens where the ratio clip binds (verl `pg_clipfrac`), where the dual clip binds (`pg_clipfrac_lower`), and of all tokens. */
  clipped: number;
  dualClipped: number;
  mass: number;
  /** Σ mass of tokens a covariance control (Clip-Cov, KL-Cov) selected; absent when none is on. */
  covSelected?: number;
}

export interface LossTerm {
  readonly name: string;
  /** `policy` is the current policy (b.logp holds its log-probabilities of the tokens). */
  apply(b: TokenBatch, from: number, to: number, value: Float64Array, dlogp: Float64Array, stats: UpdateStats, policy: TabularPolicy): void;
  /**
   * Adds the part of the term's logit gradient that is not a function of log π(y_t) alone, e.g. an
   * entropy bonus, which depends on the whole row π(·|s_t). Called after `apply`, on the same span.
   */
  logitGradient?(policy: TabularPolicy, b: TokenBatch, from: number, to: number, grad: Float64Array): void;
}

export interface ClipRange {
  low: number;
  high: number;
  /** Dual-clip constant c (> 1), or null. */
  dual: number | null;
}

/** verl clamps the log-ratio to ±20 before exponentiating. */
const LOG_RATIO_CLAMP = 20;

/** Which branch of verl's vanilla PPO loss is active: the ratio term, the clipped constant, or the dual-clip constant. */
export type PpoBranch = 'ratio' | 'clip' | 'dual';

/**
 * verl `vanilla` (ANCHORS §2.1): r = e^{clamp(ℓ, ±20)}, L1 = −A·r, L2 = −A·clip(r, 1−ε_low, 1+ε_high),
 * L = max(L1, L2); for A < 0 with dual clip, min(L, −A·c).
 */
export function ppoBranch(logRatio: number, A: number, c: ClipRange): PpoBranch {
  const r = Math.exp(Math.max(-LOG_RATIO_CLAMP, Math.min(LOG_RATIO_CLAMP, logRatio)));
  const l1 = -A * r;
  const l2 = -A * Math.min(Math.max(r, 1 - c.low), 1 + c.high);
  if (c.dual !== null && A < 0 && Math.max(l1, l2) > -A * c.dual) return 'dual';
  return l2 > l1 ? 'clip' : 'ratio';
}

/** verl's `pg_clipfrac` indicator: the clipped term exceeds the ratio term (L2 > L1), whichever branch wins after the dual clip. */
export function ppoRatioClipped(logRatio: number, A: number, c: ClipRange): boolean {
  const r = Math.exp(Math.max(-LOG_RATIO_CLAMP, Math.min(LOG_RATIO_CLAMP, logRatio)));
  return -A * Math.min(Math.max(r, 1 - c.low), 1 + c.high) > -A * r;
}

/** The vanilla PPO per-token loss. */
export function ppoLoss(logRatio: number, A: number, c: ClipRange): number {
  const r = Math.exp(Math.max(-LOG_RATIO_CLAMP, Math.min(LOG_RATIO_CLAMP, logRatio)));
  const l = Math.max(-A * r, -A * Math.min(Math.max(r, 1 - c.low), 1 + c.high));
  return c.dual !== null && A < 0 ? Math.min(l, -A * c.dual) : l;
}

/** ∂/∂log π of the vanilla PPO loss: −A·r on the ratio branch (inside the clamp), 0 on the constant branches. */
export function ppoLossGradient(logRatio: number, A: number, c: ClipRange): number {
  if (Math.abs(logRatio) > LOG_RATIO_CLAMP || ppoBranch(logRatio, A, c) !== 'ratio') return 0;
  return -A * Math.exp(logRatio);
}

/** PPO clipped surrogate (verl `vanilla`), with clip statistics. */
export function ppoTerm(c: ClipRange): LossTerm {
  return {
    name: 'ppo-clip',
    apply(b, from, to, value, dlogp, stats) {
      for (let t = from; t < to; t++) {
        const lr = b.logp[t] - b.logpOld[t];
        const A = b.adv[t];
        value[t] += ppoLoss(lr, A, c);
        dlogp[t] += ppoLossGradient(lr, A, c);
        if (ppoRatioClipped(lr, A, c)) stats.clipped += b.mass[t];
        if (ppoBranch(lr, A, c) === 'dual') stats.dualClipped += b.mass[t];
        stats.mass += b.mass[t];
      }
    },
  };
}

/** Plain policy gradient (verl `gpg`): ℓ = −A·log π(y), so ∂ℓ/∂log π = −A. */
export function pgTerm(): LossTerm {
  return {
    name: 'pg',
    apply(b, from, to, value, dlogp, stats) {
      for (let t = from; t < to; t++) {
        value[t] -= b.adv[t] * b.logp[t];
        dlogp[t] -= b.adv[t];
        stats.mass += b.mass[t];
      }
    },
  };
}

/** The reference KL in the loss: ℓ = β·k(log π − log π_ref) with the estimator's value and gradient (src/optimizers/kl.ts). */
export function klLossTerm(beta: number, estimator: KlEstimator): LossTerm {
  return {
    name: `kl-${estimator}`,
    apply(b, from, to, value, dlogp) {
      for (let t = from; t < to; t++) {
        const delta = b.logp[t] - b.logpRef[t];
        value[t] += beta * klValue(estimator, delta);
        dlogp[t] += beta * klGradient(estimator, delta);
      }
    },
  };
}
