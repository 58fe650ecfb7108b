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
 * KL(p‖q) = Σ p (log p − log q) for normalized p and q. Terms with p = 0 are 0; p > 0 where q = 0
 * gives +∞.
 *
 * Computed in the Bregman form Σ q·ψ(log p − log q), ψ(t) = t·e^t − e^t + 1 ≥ 0, which equals the
 * above when both sum to 1 (the extra −p + q terms sum to 0). Every term is nonnegative, so nothing
 * cancels, and a rounding error δ in the normalization of log p or log q moves the result by δ·KL
 * instead of by δ. With the plain sum, two distributions 1e-6 apart in log space (KL ~ 1e-12, e.g.
 * π*_τ and π_ref at τ = 1e6) lost most of their digits to a 1e-16 normalization error.
 */
export function kl(logp: ArrayLike<number>, logq: ArrayLike<number>, from = 0, to = logp.length): number {
  let d = 0;
  for (let i = from; i < to; i++) {
    const lp = logp[i];
    const lq = logq[i];
    if (lq === -Infinity) {
      if (lp === -Infinity) continue;
      return Infinity;
    }
    d += lp === -Infinity ? Math.exp(lq) : klTerm(lp - lq, Math.exp(lp), Math.exp(lq));
  }
  return d;
}

/**
 * One term q·ψ(t) of the Bregman form of KL, with t = log(p/q) passed separately from p and q (a
 * caller that knows t more precisely than log p − log q, e.g. as u − L, should pass that). The
 * terms of a KL between normalized p and q sum to KL(p‖q), including p = 0 entries (term q).
 */
export function klTerm(t: number, p: number, q: number): number {
  if (t === -Infinity || p === 0) return q;
  return t > -0.25 && t < 0.25 ? q * psiSmall(t) : p * (t - 1) + q;
}

/** ψ(t) = Σ_{n≥2} (n−1)·t^n/n! for |t| < 1/4 (Horner; truncation below 1e-16 relative). */
function psiSmall(t: number): number {
  // Coefficients (n−1)/n! for n = 2..14.
  let s = 13 / 87178291200;
  s = s * t + 12 / 6227020800;
  s = s * t + 11 / 479001600;
  s = s * t + 10 / 39916800;
  s = s * t + 9 / 3628800;
  s = s * t + 8 / 362880;
  s = s * t + 7 / 40320;
  s = s * t + 6 / 5040;
  s = s * t + 5 / 720;
  s = s * t + 4 / 120;
  s = s * t + 3 / 24;
  s = s * t + 2 / 6;
  s = s * t + 1 / 2;
  return s * t * t;
}

/** log(1 + x) − x without cancellation for small x (x > −1). */
function log1pmx(x: number): number {
  if (!(x > -0.25 && x < 0.25)) return Math.log1p(x) - x;
  // log(1+x) = 2·atanh(z) with z = x/(2+x), and 2z − x = −x²/(2+x): the series left is O(z³).
  const z = x / (2 + x);
  const z2 = z * z;
  let p = z;
  let s = 0;
  for (let k = 3; k < 40; k += 2) {
    p *= z2;
    const term = p / k;
    s += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(s)) break;
  }
  return (-x * x) / (2 + x) + 2 * s;
}

/**
 * kl(a‖b) given a, 1−a, b, 1−b and d = a − b, each to full relative precision.
 * Near a = b both terms a·log(a/b) and (1−a)·log((1−a)/(1−b)) are first order in d while kl is
 * second order; writing log(1+x) = x + (log(1+x) − x), the first-order parts sum exactly to
 * d²/(b(1−b)) and the remainders are second order, so nothing cancels.
 */
function bernoulliKlParts(a: number, am: number, b: number, bm: number, d: number): number {
  if (d === 0) return 0;
  const x = d / b; // a/b − 1
  const y = -d / bm; // (1−a)/(1−b) − 1
  let r: number;
  if (x > -0.25 && x < 0.25 && y > -0.25 && y < 0.25) {
    r = (d * d) / (b * bm) + a * log1pmx(x) + am * log1pmx(y);
  } else {
    // One of the ratios is far from 1; the other may still be close (a = 1e-12, b = 1e-6 gives
    // (1−a)/(1−b) = 1 + 1e-6), so each log is taken as log1p of its exactly known offset then.
    r = 0;
    if (a > 0) r += a * (x > -0.5 && x < 0.5 ? Math.log1p(x) : logRatio(a, b));
    if (am > 0) r += am * (y > -0.5 && y < 0.5 ? Math.log1p(y) : logRatio(am, bm));
  }
  return r > 0 ? r : 0;
}

/** log(u/v) for u > 0: the ratio first (one rounding), unless it under- or overflows. */
function logRatio(u: number, v: number): number {
  const q = u / v;
  return q > 0 && q < Infinity ? Math.log(q) : Math.log(u) - Math.log(v);
}

/**
 * Bernoulli KL kl(a‖b) = a log(a/b) + (1−a) log((1−a)/(1−b)), with 0·log 0 = 0. Keeps its
 * relative precision for close arguments (kl(P*_τ‖p) at τ = 1e6 is ~1e-13) and for arguments
 * near 0 (the complements enter through 1 − a, 1 − b, never through log of a ratio near 1).
 * For arguments within ~1e-12 of 1, pass log-odds to `bernoulliKlFromLogits` instead.
 */
export function bernoulliKl(a: number, b: number): number {
  return bernoulliKlParts(a, 1 - a, b, 1 - b, a - b);
}

/** Bernoulli KL from log-odds of both arguments: stable when a or b is within 1e-12 of 0 or 1. */
export function bernoulliKlFromLogits(la: number, lb: number): number {
  // Each of a, 1−a, b, 1−b comes from its own sigmoid, so each has full relative precision.
  const a = sigmoid(la);
  const am = sigmoid(-la);
  const b = sigmoid(lb);
  const bm = sigmoid(-lb);
  // σ(x) − σ(y) = σ(y)·(1 − σ(x))·(e^{x−y} − 1): precise even when la ≈ lb.
  const dl = la - lb;
  const d = Number.isFinite(dl) ? b * am * Math.expm1(dl) : a - b;
  return bernoulliKlParts(a, am, b, bm, d);
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
