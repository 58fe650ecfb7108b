import { logit } from '../numerics/divergences.js';
import { interpolateCrossing } from './grid.js';

/**
 * Reading a temperature crossing off sampled success curves — the analysis a τ sweep runs, and
 * the `finite-size` experiment checks on exact data.
 */

/**
 * τ where success crosses `level`, from samples on an increasing τ grid: logit(success) is
 * interpolated linearly in 1/τ between the first bracketing pair. In a two-outcome world logit P*
 * is affine in 1/τ (F35; F37 for chains), so this reading is exact there, not just first order.
 * Where a sample is 0 or 1 (logit infinite) it falls back to success linear in log τ.
 */
export function crossingOnGrid(taus: readonly number[], success: readonly number[], level = 0.5): number | null {
  const target = logit(level);
  for (let i = 1; i < taus.length; i++) {
    const a = success[i - 1] - level;
    const b = success[i] - level;
    if (a === 0) return taus[i - 1];
    if (!((a > 0 && b <= 0) || (a < 0 && b >= 0))) continue;
    const la = logit(success[i - 1]) - target;
    const lb = logit(success[i]) - target;
    if (!Number.isFinite(la) || !Number.isFinite(lb)) return interpolateCrossing(taus.slice(i - 1, i + 1), success.slice(i - 1, i + 1), level);
    const ua = 1 / taus[i - 1];
    const ub = 1 / taus[i];
    return 1 / (ua + (la * (ub - ua)) / (la - lb));
  }
  return null;
}

/** The crossing of one success-vs-τ curve, and its width: where success passes 3/4 and 1/4. */
export interface CurveCrossing {
  tauC: number | null;
  tau75: number | null;
  tau25: number | null;
  /**
   * 1/τ(3/4) − 1/τ(1/4): the width in inverse temperature, exactly 2·ln 3/Δ in a two-outcome world
   * with reward Δ (logit P* moves by Δ per unit of 1/τ); null when either level is off the grid.
   */
  invTauWidth: number | null;
}

export function curveCrossing(taus: readonly number[], success: readonly number[]): CurveCrossing {
  const tauC = crossingOnGrid(taus, success, 0.5);
  const tau75 = crossingOnGrid(taus, success, 0.75);
  const tau25 = crossingOnGrid(taus, success, 0.25);
  return { tauC, tau75, tau25, invTauWidth: tau75 !== null && tau25 !== null ? 1 / tau75 - 1 / tau25 : null };
}

/** The finite-size scaling variable of a chain: x = K·(δ/τ − |log q|); logit P*_K = x − log(1 − q^K) (F37). */
export function collapseVariable(K: number, q: number, delta: number, tau: number): number {
  return K * (delta / tau + Math.log(q));
}
