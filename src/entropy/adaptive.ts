/**
 * TRL's adaptive entropy coefficient (GRPOConfig `use_adaptive_entropy`, from Skywork-OR1): after
 * each optimizer step the coefficient moves by δ toward keeping the mean per-token entropy at a
 * target, clamped to [min, max]; the bonus is applied only while the last measured entropy is at
 * or below the target (a gate, so a healthy run gets no bonus at all).
 */
export interface AdaptiveEntropyOptions {
  /** `entropy_coef_min`, `entropy_coef_max`, `entropy_coef_delta`, `entropy_target` (nats per token). */
  min: number;
  max: number;
  delta: number;
  target: number;
}

/** The coefficient after a step whose mean per-token entropy was H: +δ when H ≤ target, else −δ, clamped. */
export function adaptEntropyCoef(coef: number, H: number, o: AdaptiveEntropyOptions): number {
  return H <= o.target ? Math.min(coef + o.delta, o.max) : Math.max(coef - o.delta, o.min);
}

/** The coefficient applied in a step: `coef` when the last measured entropy is ≤ target, else 0. */
export function gatedEntropyCoef(coef: number, lastH: number, target: number): number {
  return lastH <= target ? coef : 0;
}
