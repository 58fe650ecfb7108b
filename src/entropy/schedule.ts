/**
 * Schedules for the entropy controls: a factor s(k) ∈ [0, 1] multiplying a coefficient (entropy
 * bonus α, KL-Cov's ppo_kl_coef) or a ratio (clip_cov_ratio, kl_cov_ratio) at step k = 0, 1, …
 * of a run annealed over T steps. Annealing to 0 is what makes a control asymptotically unbiased
 * (SPEC F34): the fixed points revert to those of the unregularized objective, while a constant
 * entropy bonus keeps the biased fixed point of F33.
 */
export const SCHEDULES = ['constant', 'linear', 'cosine', 'inverse'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/**
 * - constant: 1;
 * - linear: 1 − k/T, 0 from step T on;
 * - cosine: (1 + cos(π·k/T))/2, 0 from step T on;
 * - inverse: 1/(1 + k), F34's λ_0/(1 + t) (no horizon: it never reaches 0 but sums to ∞).
 */
export function scheduleFactor(schedule: Schedule, k: number, T: number): number {
  switch (schedule) {
    case 'constant':
      return 1;
    case 'linear':
      return Math.max(0, 1 - k / T);
    case 'cosine':
      return k >= T ? 0 : 0.5 * (1 + Math.cos((Math.PI * k) / T));
    case 'inverse':
      return 1 / (1 + k);
  }
}
