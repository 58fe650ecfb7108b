/**
 * Dead signal: a GRPO group whose rewards all tie has zero advantage for every member, so it
 * teaches nothing. Where the log has the all-tie fraction (TRL's `frac_reward_zero_std`) it is
 * read; otherwise, for a 0/1 accuracy p and groups of G, a group ties with probability
 * p^G + (1−p)^G. Across prompts of unequal difficulty that formula, evaluated at the mean p, is a
 * lower bound (it is convex in p: Jensen).
 */

export function allTieProbability(p: number, G: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  return p ** G + (1 - p) ** G;
}

export interface DeadSignal {
  /** One value per step (NaN where unknown); null when the log has neither the fraction nor an accuracy and G. */
  allTieFraction: number[] | null;
  source: 'logged' | 'estimated' | null;
  /** Steps where every group tied, or the reward std is exactly 0: no learning signal at all. */
  deadSteps: number[];
  /** Mean over steps with a value. */
  meanAllTie: number;
  note: string;
}

export function deadSignal(
  steps: readonly number[],
  metrics: Readonly<Record<string, number[]>>,
  groupSize: number | undefined,
): DeadSignal | null {
  const logged = metrics['frac_reward_zero_std'];
  const acc = metrics['accuracy'];
  const std = metrics['reward/std'];
  let allTie: number[] | null = null;
  let source: DeadSignal['source'] = null;
  let note: string;
  if (logged && logged.some(Number.isFinite)) {
    allTie = [...logged];
    source = 'logged';
    note = 'all-tie fraction as logged (frac_reward_zero_std)';
  } else if (acc && groupSize !== undefined && acc.some(Number.isFinite)) {
    allTie = acc.map((p) => allTieProbability(p, groupSize));
    source = 'estimated';
    note = `estimated as p^G + (1−p)^G from the accuracy with G = ${groupSize}; a lower bound when prompts differ in difficulty`;
  } else if (std && std.some(Number.isFinite)) {
    note =
      acc && groupSize === undefined
        ? 'no all-tie fraction logged; pass --group-size G to estimate it from the accuracy'
        : 'no all-tie fraction logged and no 0/1 accuracy to estimate it from; dead steps from reward std = 0 only';
  } else {
    return null;
  }
  const deadSteps = steps.filter((_, i) => allTie?.[i] === 1 || std?.[i] === 0);
  const finite = allTie?.filter(Number.isFinite) ?? [];
  const meanAllTie = finite.length ? finite.reduce((s, v) => s + v, 0) / finite.length : NaN;
  return { allTieFraction: allTie, source, deadSteps, meanAllTie, note };
}
