import { bernoulliKlFromLogits, logit, sigmoid, softplus } from '../numerics/divergences.js';
import { mirrorDescentFlow } from '../flows/mirrorDescent.js';
import { compileTask } from '../tasks/worlds.js';
import { mirrorDescentTilt } from '../flows/tilt.js';

/**
 * The RLVR view (F23–F25). With a 0/1 verifier the KL-regularized optimum is the tilt
 * π* ∝ π_ref·e^{r/β}, whose accuracy is logit p* = logit p₀ + 1/β; along the natural-gradient
 * flow from π_ref the gap to it is exactly β·kl(p_t‖p*), a function of the accuracy alone.
 */

/** logit p* = logit p₀ + 1/β (±∞ for a reference that is never or always right: no tilt moves it). */
export function targetLogit(p0: number, beta: number): number {
  return p0 <= 0 ? -Infinity : p0 >= 1 ? Infinity : logit(p0) + 1 / beta;
}

export function targetAccuracy(p0: number, beta: number): number {
  return p0 <= 0 || p0 >= 1 ? p0 : sigmoid(targetLogit(p0, beta));
}

/** kl(p‖p*) from the target's logit: p* within 1e-16 of 1 (small β) still gives the right gap. */
function klToTarget(p: number, lStar: number): number {
  if (p === 0) return softplus(lStar); // −log(1 − p*)
  if (p === 1) return softplus(-lStar); // −log p*
  return bernoulliKlFromLogits(logit(p), lStar);
}

/** β·kl(p_t‖p*) for each accuracy (NaN where the accuracy is missing). */
export function bernoulliGap(accuracy: readonly number[], p0: number, beta: number): number[] {
  const lStar = targetLogit(p0, beta);
  return accuracy.map((p) => (p >= 0 && p <= 1 ? beta * klToTarget(p, lStar) : NaN));
}

/** The β values at which a log without a reference KL is shown what p* would be. */
export const BETA_RANGE = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2] as const;

export interface RlvrView {
  /** null: the run had no reference KL (β = 0) or β was not given. */
  beta: number | null;
  p0: number;
  p0Step: number;
  pStar: number | null;
  /** β·kl(p_t‖p*) per step; null without β > 0. */
  gap: number[] | null;
  pStarByBeta: { beta: number; pStar: number }[];
  note: string;
}

/**
 * p₀ is the first logged accuracy unless the caller knows the reference's accuracy better (an
 * evaluation before training): one batch is a noisy estimate, and a resumed log does not start at
 * the reference at all.
 */
export function rlvrView(
  steps: readonly number[],
  accuracy: readonly number[],
  beta: number | undefined,
  p0Given?: number,
): RlvrView | null {
  const i0 = accuracy.findIndex(Number.isFinite);
  if (i0 < 0 || accuracy.some((p) => p < 0 || p > 1)) return null;
  const p0 = p0Given ?? accuracy[i0];
  const pStarByBeta = BETA_RANGE.map((b) => ({ beta: b, pStar: targetAccuracy(p0, b) }));
  const start =
    p0Given === undefined
      ? `p₀ = ${p0} is the first logged accuracy (step ${steps[i0]}); it stands for π_ref's accuracy only if the log starts at the reference (else pass --p0)`
      : `p₀ = ${p0} as given`;
  if (beta === undefined || beta === 0) {
    return {
      beta: beta ?? null,
      p0,
      p0Step: steps[i0],
      pStar: null,
      gap: null,
      pStarByBeta,
      note:
        beta === 0
          ? `β = 0: no reference KL, so the target is argmax r (accuracy → 1), not a tilt of π_ref; p* for a range of β is shown instead. ${start}.`
          : `no --beta given: p* for a range of β is shown. ${start}.`,
    };
  }
  const pStar = targetAccuracy(p0, beta);
  return {
    beta,
    p0,
    p0Step: steps[i0],
    pStar,
    gap: bernoulliGap(accuracy, p0, beta),
    pStarByBeta,
    note: `logit p* = logit p₀ + 1/β; the gap β·kl(p_t‖p*) is exact along the natural-gradient flow from π_ref (F25). ${start}.`,
  };
}

/**
 * "What the lab predicts": the binary task with the log's p₀ and β, run by exact mirror descent.
 * One step of the log is one step of the flow; the step size η is the one free parameter, fitted
 * to the log's accuracy by least squares (logit p_k = logit p₀ + s_k, s_k = (1 − (1−ηβ)^k)/β, or
 * η·k with β = 0).
 */
export interface LabPrediction {
  task: { kind: 'binary'; p: number; delta: number };
  beta: number;
  eta: number;
  steps: number[];
  accuracy: number[];
  /** Root-mean-square difference to the logged accuracy at the logged steps. */
  rmse: number;
}

export function labPrediction(steps: readonly number[], accuracy: readonly number[], beta: number, p0: number): LabPrediction | null {
  const idx = steps.map((_, i) => i).filter((i) => Number.isFinite(accuracy[i]));
  if (idx.length < 3 || idx.some((i) => accuracy[i] < 0 || accuracy[i] > 1)) return null;
  const s0 = steps[idx[0]];
  if (!(p0 > 0 && p0 < 1)) return null;
  const l0 = logit(p0);
  const K = steps[idx[idx.length - 1]] - s0;
  if (K < 1) return null;
  const sse = (eta: number) =>
    idx.reduce((s, i) => {
      const d = sigmoid(l0 + mirrorDescentTilt(steps[i] - s0, eta, beta)) - accuracy[i];
      return s + d * d;
    }, 0);
  // ηβ ≤ 1 keeps mirror descent a contraction towards π*; the bare flow needs no upper bound
  // beyond reaching any accuracy within one logged step.
  const hi = Math.log(beta > 0 ? 1 / beta : 50);
  const lo = Math.log(1e-9);
  const grid = 200;
  let best = 0;
  let bestSse = Infinity;
  for (let g = 0; g <= grid; g++) {
    const v = sse(Math.exp(lo + ((hi - lo) * g) / grid));
    if (v < bestSse) [best, bestSse] = [g, v];
  }
  // Golden-section refinement inside the best grid cell's neighbours.
  let x0 = lo + ((hi - lo) * Math.max(0, best - 1)) / grid;
  let x1 = lo + ((hi - lo) * Math.min(grid, best + 1)) / grid;
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const m1 = x1 - phi * (x1 - x0);
    const m2 = x0 + phi * (x1 - x0);
    if (sse(Math.exp(m1)) <= sse(Math.exp(m2))) x1 = m2;
    else x0 = m1;
  }
  const eta = Math.exp((x0 + x1) / 2);
  const task = { kind: 'binary' as const, p: p0, delta: 1 };
  // With β = 0 the recorder still needs a temperature; the bare-reward flow ignores it.
  const trace = mirrorDescentFlow(compileTask(task), { tau: beta > 0 ? beta : 1, eta, steps: K, bareReward: beta === 0 });
  const predicted = trace.success;
  const rmse = Math.sqrt(idx.reduce((s, i) => s + (predicted[steps[i] - s0] - accuracy[i]) ** 2, 0) / idx.length);
  return { task, beta, eta, steps: trace.step.map((k) => k + s0), accuracy: predicted, rmse };
}
