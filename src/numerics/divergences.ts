/**
 * Entropies and divergences of distributions given by log-probabilities (nats).
 * Zero-probability entries are −∞ and contribute 0 (0·log 0 = 0).
 */

/** H(p) = −Σ p log p. */
export function entropy(logp: ArrayLike<number>, from = 0, to = logp.length): number {
  let h = 0;
  for (let i = from; i < to; i++) {
    const lp = logp[i];
    if (lp !== -Infinity) h -= Math.exp(lp) * lp;
  }
  return h;
}

/**
 * KL(p‖q) = Σ p (log p − log q). Terms with p = 0 are 0; p > 0 where q = 0 gives +∞.
 */
export function kl(logp: ArrayLike<number>, logq: ArrayLike<number>, from = 0, to = logp.length): number {
  let d = 0;
  for (let i = from; i < to; i++) {
    const lp = logp[i];
    if (lp === -Infinity) continue;
    const lq = logq[i];
    if (lq === -Infinity) return Infinity;
    d += Math.exp(lp) * (lp - lq);
  }
  // Rounding can leave a tiny negative value when p ≈ q; KL is nonnegative by Gibbs' inequality.
  return d > 0 ? d : 0;
}

/** Bernoulli KL kl(a‖b) = a log(a/b) + (1−a) log((1−a)/(1−b)), with 0·log 0 = 0. */
export function bernoulliKl(a: number, b: number): number {
  let d = 0;
  if (a > 0) d += a * Math.log(a / b);
  if (a < 1) d += (1 - a) * Math.log((1 - a) / (1 - b));
  return d > 0 ? d : 0;
}

/** Bernoulli KL from log-odds of both arguments: stable when a or b is within 1e-12 of 0 or 1. */
export function bernoulliKlFromLogits(la: number, lb: number): number {
  // log a = −softplus(−la), log(1−a) = −softplus(la)
  const logA = -softplus(-la);
  const log1mA = -softplus(la);
  const logB = -softplus(-lb);
  const log1mB = -softplus(lb);
  const d = Math.exp(logA) * (logA - logB) + Math.exp(log1mA) * (log1mA - log1mB);
  return d > 0 ? d : 0;
}

/** Binary entropy h(a) in nats. */
export function binaryEntropy(a: number): number {
  let h = 0;
  if (a > 0) h -= a * Math.log(a);
  if (a < 1) h -= (1 - a) * Math.log1p(-a);
  return h;
}

/** logit(a) = log(a/(1−a)). */
export function logit(a: number): number {
  return Math.log(a) - Math.log1p(-a);
}

/** The logistic function 1/(1+e^{−x}), without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + e^x), without overflow. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}
