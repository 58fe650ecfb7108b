/**
 * Gradient transformations on logits (optax-style, with the update applied in the same pass):
 * `apply(grad, z)` moves the logits z by the change the gradient of the loss calls for. State (Adam
 * moments) lives in the closure, one slot per logit. A logit at −∞ (outside the support) has zero
 * gradient and zero change, so it stays there.
 */
export interface LogitTransform {
  apply(grad: Float64Array, z: Float64Array): void;
}

/** Gradient descent: Δz = −lr·g. */
export function sgd(lr: number): LogitTransform {
  return {
    apply(grad, z) {
      for (let i = 0; i < grad.length; i++) z[i] += -lr * grad[i];
    },
  };
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** Adam (Kingma & Ba; torch defaults): bias-corrected moments, Δz = −lr·m̂/(√v̂ + ε). */
export function adam(n: number, o: AdamOptions): LogitTransform {
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  let t = 0;
  return {
    apply(grad, z) {
      t++;
      const { beta1, beta2, eps } = o;
      // As torch.optim.Adam: step lr/(1 − β1^t), denominator √v/√(1 − β2^t) + ε (one division per
      // logit).
      const step = o.lr / (1 - beta1 ** t);
      const invC2Sqrt = 1 / Math.sqrt(1 - beta2 ** t);
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        z[i] += (-step * mi) / (Math.sqrt(vi) * invC2Sqrt + eps);
      }
    },
  };
}
