/**
 * Gradient transformations on logits (optax-style): `update(grad, out)` turns the gradient of the
 * loss into the parameter change. State (Adam moments) lives in the closure, one slot per logit.
 * A logit at −∞ (outside the support) has zero gradient and zero change, so it stays there.
 */
export interface LogitTransform {
  update(grad: Float64Array, out: Float64Array): void;
}

/** Gradient descent: Δz = −lr·g. */
export function sgd(lr: number): LogitTransform {
  return {
    update(grad, out) {
      for (let i = 0; i < grad.length; i++) out[i] = -lr * grad[i];
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
    update(grad, out) {
      t++;
      const { beta1, beta2, eps } = o;
      // As torch.optim.Adam: step lr/(1 − β1^t), denominator √v/√(1 − β2^t) + ε (two divisions per
      // logit, not three).
      const step = o.lr / (1 - beta1 ** t);
      const c2Sqrt = Math.sqrt(1 - beta2 ** t);
      for (let i = 0; i < n; i++) {
        const g = grad[i];
        const mi = beta1 * m[i] + (1 - beta1) * g;
        const vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        out[i] = (-step * mi) / (Math.sqrt(vi) / c2Sqrt + eps);
      }
    },
  };
}
