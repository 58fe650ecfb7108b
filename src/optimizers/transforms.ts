import { AdamSoftmaxKernel } from '../numerics/wasm/adamSoftmax.js';
import type { PolicyLayout } from '../policies/layout.js';
import type { TabularPolicy } from '../policies/tabular.js';

/**
 * Gradient transformations on logits (optax-style, with the update applied in the same pass): the
 * caller writes the loss gradient in parts (LossPipeline.gradientParts), the entries into `grad` and
 * per row r the coefficient c_r of the softmax chain rule's −c_r·π(·|r) into `rowCoef`, so that the
 * gradient g = grad − c_r·π is formed in the pass that uses it. `update(policy)` then moves the
 * policy's logits by the change g calls for and renormalizes the policy. State (Adam moments) lives
 * in the closure, one slot per logit. A logit at −∞ (outside the support) has zero gradient and zero
 * change, so it stays there.
 */
export interface LogitTransform {
  readonly grad: Float64Array;
  readonly rowCoef: Float64Array;
  update(policy: TabularPolicy): void;
}

/** Gradient descent: Δz = −lr·g. */
export function sgd(layout: PolicyLayout, lr: number): LogitTransform {
  const grad = new Float64Array(layout.entries);
  const rowCoef = new Float64Array(layout.rows);
  const { rows, rowOffset } = layout;
  return {
    grad,
    rowCoef,
    update(policy) {
      const { logits: z, prob } = policy;
      for (let r = 0; r < rows; r++) {
        const c = rowCoef[r];
        for (let i = rowOffset[r]; i < rowOffset[r + 1]; i++) z[i] += -lr * (grad[i] - c * prob[i]);
      }
      policy.normalize();
    },
  };
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * Adam (Kingma & Ba; torch defaults): bias-corrected moments, Δz = −lr·m̂/(√v̂ + ε). The gradient's
 * assembly, the step and the softmax after it run in the WebAssembly kernel
 * (src/numerics/wasm/adamSoftmax.ts), whose memory holds the gradient and the moments; the policy's
 * logits and probabilities go in and its logits, probabilities and log-probabilities come out, bit
 * for bit what the scalar code gives.
 */
export function adam(layout: PolicyLayout, o: AdamOptions): LogitTransform {
  const kernel = new AdamSoftmaxKernel(layout.rowOffset, o);
  // With multiplicities the softmax weighs logit + log mult: TabularPolicy.normalize does that one.
  const softmax = layout.logMult === null;
  let t = 0;
  // The policy (and its version) the kernel's logits and probabilities are a copy of.
  let held: TabularPolicy | null = null;
  let heldVersion = -1;
  return {
    grad: kernel.grad,
    rowCoef: kernel.rowCoef,
    update(policy) {
      t++;
      if (policy !== held || policy.version !== heldVersion) {
        kernel.logits.set(policy.logits);
        kernel.prob.set(policy.prob);
      }
      kernel.step(o.lr, t, softmax);
      policy.logits.set(kernel.logits);
      if (softmax) {
        policy.prob.set(kernel.prob);
        policy.logp.set(kernel.logp);
        policy.changed();
      } else {
        policy.normalize();
        kernel.prob.set(policy.prob);
      }
      held = policy;
      heldVersion = policy.version;
    },
  };
}
