import { fastExpm1 } from '../numerics/fastExp.js';

/**
 * Schulman's estimators of KL(π‖π_ref) from one token y ~ π, as the LLM libraries use them
 * (ANCHORS §2.3), in terms of δ = log π(y) − log π_ref(y):
 *
 * | name | value          | ∂value/∂log π(y) | E_π[∂value/∂log π · ∇log π]        |
 * |------|----------------|------------------|------------------------------------|
 * | k1   | δ              | 1                | 0 (no pull toward the reference)   |
 * | k2   | δ²/2           | δ                | ∇KL(π‖π_ref)                       |
 * | k3   | e^{−δ} + δ − 1 | 1 − e^{−δ}       | ∇KL(π_ref‖π) (the forward KL)      |
 * | k1+  | δ              | δ (k2's)         | ∇KL(π‖π_ref) (verl's straight-through) |
 * | k3+  | e^{−δ} + δ − 1 | δ (k2's)         | ∇KL(π‖π_ref)                       |
 *
 * In the reward only the value enters (detached); in the loss the value's derivative is the one
 * that moves the policy.
 */
export const KL_ESTIMATORS = ['k1', 'k2', 'k3', 'k1+', 'k3+'] as const;
export type KlEstimator = (typeof KL_ESTIMATORS)[number];

/** The estimator's value at δ = log π(y) − log π_ref(y). */
export function klValue(estimator: KlEstimator, delta: number): number {
  switch (estimator) {
    case 'k1':
    case 'k1+':
      return delta;
    case 'k2':
      return 0.5 * delta * delta;
    case 'k3':
    case 'k3+':
      // e^{−δ} − 1 + δ without cancellation near δ = 0 (fastExpm1: within 1e−15 of e^x − 1, several
      // times faster than Math.expm1, once per sampled token).
      return fastExpm1(-delta) + delta;
  }
}

/** ∂value/∂log π(y) as the loss backpropagates it (the straight-through variants take k2's). */
export function klGradient(estimator: KlEstimator, delta: number): number {
  switch (estimator) {
    case 'k1':
      return 1;
    case 'k3':
      return -fastExpm1(-delta);
    case 'k2':
    case 'k1+':
    case 'k3+':
      return delta;
  }
}
