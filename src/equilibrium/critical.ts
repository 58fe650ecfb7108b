import { logit, sigmoid } from '../numerics/divergences.js';
import { log1mExp } from '../numerics/logsumexp.js';
import type { BinaryTask, ChainTask } from '../tasks/schema.js';
import type { World } from '../tasks/worlds.js';
import { equilibrium } from './equilibrium.js';

/** Binary world (F35): P*_τ(correct) = σ(logit p + Δ/τ). */
export function binarySuccess(p: number, delta: number, tau: number): number {
  return sigmoid(logit(p) + delta / tau);
}

/** Binary world (F36): τ_c(p) = Δ / ln((1−p)/p); null when p ≥ 1/2 (success ≥ 1/2 at every τ). */
export function binaryCriticalTemperature(task: Pick<BinaryTask, 'p' | 'delta'>): number | null {
  const d = -logit(task.p);
  return d > 0 ? task.delta / d : null;
}

/** Chain (F37): logit P*_K = K(δ/τ − |log q|) − log(1 − q^K). */
export function chainSuccessLogit(K: number, q: number, delta: number, tau: number): number {
  const logQ = Math.log(q);
  return K * (delta / tau + logQ) - log1mExp(K * logQ);
}

/** Chain: τ_c(K) = δ / (|log q| + log(1 − q^K)/K), where P*_K = 1/2; null when no temperature reaches it. */
export function chainCriticalTemperature(K: number, q: number, delta: number): number | null {
  const denom = -Math.log(q) + log1mExp(K * Math.log(q)) / K;
  return denom > 0 ? delta / denom : null;
}

/** Chain: the K → ∞ limit δ/|log q| (F37). */
export function chainCriticalLimit(task: Pick<ChainTask, 'q' | 'delta'>): number {
  return task.delta / -Math.log(task.q);
}

/**
 * τ where the (mean) equilibrium success crosses 1/2, by bisection on log τ. Success is
 * non-increasing in τ (d log P(max)/d(1/τ) = r_max − E*[r] ≥ 0, per prompt), so the crossing is
 * unique when it exists; null when success stays on one side of 1/2 for all τ.
 */
export function criticalTemperature(world: World, target = 0.5): number | null {
  const success = (tau: number) => equilibrium(world, tau).success;
  // Scan a wide, log-spaced bracket; a world with rewards of order r crosses near τ ~ r/|log p|.
  let lo = 1e-12;
  let hi = 1e12;
  if (!(success(lo) > target) || !(success(hi) < target)) return null;
  let a = Math.log(lo);
  let b = Math.log(hi);
  for (let i = 0; i < 200 && b - a > 1e-15 * Math.max(1, Math.abs(a)); i++) {
    const m = 0.5 * (a + b);
    if (success(Math.exp(m)) > target) a = m;
    else b = m;
  }
  lo = Math.exp(a);
  hi = Math.exp(b);
  return 0.5 * (lo + hi);
}
