import { Rng } from '../numerics/rng.js';
import { logSoftmax } from '../numerics/softmax.js';
import type { Row } from '../report/specs.js';
import type { BanditWorld } from '../tasks/worlds.js';

/**
 * Shared pieces of the optimizer experiments (ladder, kl-estimators, no-kl): the binary-reward
 * bandit they run on, and the reductions of long, noisy traces to verdict numbers and plot rows.
 */

/** A one-prompt bandit with `correct` of `actions` completions rewarded 1: reference logits ~ N(0,1) from the seed. */
export function binaryBandit(actions: number, correct: number, seed: number): BanditWorld {
  const rng = Rng.fromSeed(seed).split('binary-bandit', actions, correct);
  const logRef = new Float64Array(actions);
  const reward = new Float64Array(actions);
  for (let i = 0; i < actions; i++) {
    logRef[i] = rng.normal();
    reward[i] = i < correct ? 1 : 0;
  }
  logSoftmax(logRef, logRef);
  return { type: 'bandit', prompts: 1, actions, logRef, reward, maxReward: 1 };
}

/** Mean of the finite entries of the last `fraction` of a trace (the settled regime of a noisy run). */
export function tailMean(a: readonly number[], fraction: number): number {
  const from = Math.floor(a.length * (1 - fraction));
  let s = 0;
  let n = 0;
  for (let i = from; i < a.length; i++) {
    if (Number.isFinite(a[i])) {
      s += a[i];
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** Mean of the finite entries of a[from..to). */
export function rangeMean(a: readonly number[], from: number, to: number): number {
  let s = 0;
  let n = 0;
  for (let i = Math.max(0, from); i < Math.min(a.length, to); i++) {
    if (Number.isFinite(a[i])) {
      s += a[i];
      n++;
    }
  }
  return n ? s / n : NaN;
}

/** A trace as at most `points` plot rows, each the mean over its window of steps (noise averaged, not aliased). */
export function windowRows(values: readonly number[], series: string, points: number, y = 'value'): Row[] {
  const n = values.length;
  const w = Math.max(1, Math.ceil(n / points));
  const rows: Row[] = [];
  for (let i = 0; i < n; i += w) rows.push({ step: i, [y]: w === 1 ? values[i] : rangeMean(values, i, i + w), series });
  return rows;
}

/**
 * A trace as plot rows on log-spaced steps (for a log step axis): entry 0 is skipped, and each row is
 * the mean over the steps up to the next row, so early transients keep their resolution.
 */
export function logWindowRows(values: readonly number[], series: string, points: number, y = 'value'): Row[] {
  const n = values.length;
  const rows: Row[] = [];
  let from = 1;
  for (let i = 1; i <= points && from < n; i++) {
    const to = Math.min(n, Math.max(from + 1, Math.round(n ** (i / points))));
    rows.push({ step: from, [y]: rangeMean(values, from, to), series });
    from = to;
  }
  return rows;
}

/** First step at which a trace falls below `level`, or null. */
export function firstBelow(values: readonly number[], level: number): number | null {
  const i = values.findIndex((v) => v < level);
  return i < 0 ? null : i;
}
