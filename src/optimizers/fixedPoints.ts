/**
 * Where sampled optimizers settle on a one-prompt bandit: the zeros of their expected update.
 *
 * With the reference KL in the loss and a reward advantage whose expectation is κ·∇J (κ = 1 for
 * an unbiased baseline, 1 − 1/G for the group mean, κ(p) for GRPO's std scaling of binary
 * rewards, `stdGradientFactor`), the expected logit gradient is
 *   κ·π ⊙ (r − E_π r) − β·π ⊙ (k'(δ) − E_π k'(δ)),   δ = log π − log π_ref,
 * so a fixed point with full support has r_j − (β/κ)·k'(δ_j) = const:
 *   k2 (and the straight-through k1+, k3+): k' = δ, π ∝ π_ref·e^{κ·r/β}: the Gibbs policy at β/κ;
 *   k3: k' = 1 − π_ref/π, π_j = β·π_ref_j / (β + κ·(c − r_j)) with c = E_π r;
 *   k1: k' = 1 has no interior fixed point: the policy heads to argmax r.
 * κ may depend on the fixed point itself (through c = E_π r), so both are solved for c: scan
 * c over [min r, max r] for a sign change of the self-consistency residual, then bisect.
 */

/** κ as a function of the expected reward c at the fixed point. */
export type GradientFactor = (c: number) => number;

/**
 * κ(p) for GRPO's group-std advantages on binary rewards (Bessel std, ε): the expected estimator is
 * exactly κ·∇J with κ = E[A_i | r_i = 1] − E[A_i | r_i = 0], because E[A_i | y_i] depends on y_i
 * only through r_i, and is affine in it. The other G − 1 successes are Binomial(G − 1, p).
 */
export function stdGradientFactor(p: number, G: number, eps: number): number {
  const adv = (m: number, r: number) => {
    const std = Math.sqrt((m * (G - m)) / (G * (G - 1)));
    return (r - m / G) / (std + eps);
  };
  let kappa = 0;
  let logBinom = 0; // log C(G−1, k)
  for (let k = 0; k < G; k++) {
    if (k > 0) logBinom += Math.log(G - k) - Math.log(k);
    const pk = Math.exp(logBinom + (k > 0 ? k * Math.log(p) : 0) + (G - 1 - k > 0 ? (G - 1 - k) * Math.log1p(-p) : 0));
    kappa += pk * (adv(k + 1, 1) - adv(k, 0));
  }
  return kappa;
}

/** Finds c with residual(c) = 0 on [lo, hi] (residual NaN where undefined): first sign change on a grid, then bisection. */
function solveForC(residual: (c: number) => number, lo: number, hi: number): number {
  const n = 4000;
  let prevC = NaN;
  let prevV = NaN;
  for (let i = 0; i <= n; i++) {
    const c = lo + ((hi - lo) * i) / n;
    const v = residual(c);
    if (Number.isFinite(v) && Number.isFinite(prevV) && (v === 0 || Math.sign(v) !== Math.sign(prevV))) {
      let a = prevC;
      let b = c;
      let fa = prevV;
      for (let k = 0; k < 200 && b - a > 1e-16 * Math.max(1, Math.abs(a)); k++) {
        const m = 0.5 * (a + b);
        const fm = residual(m);
        if (!Number.isFinite(fm) || Math.sign(fm) === Math.sign(fa)) {
          a = m;
          fa = fm;
        } else b = m;
      }
      return 0.5 * (a + b);
    }
    prevC = c;
    prevV = v;
  }
  return NaN;
}

function rewardRange(logRef: Float64Array, reward: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < reward.length; i++) {
    if (logRef[i] === -Infinity) continue;
    lo = Math.min(lo, reward[i]);
    hi = Math.max(hi, reward[i]);
  }
  return [lo, hi];
}

/** log π ∝ log π_ref + s·r, normalized, into `out`; returns E_π r. */
function tilt(logRef: Float64Array, reward: Float64Array, s: number, out: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < out.length; i++) {
    out[i] = logRef[i] + s * reward[i];
    if (out[i] > max) max = out[i];
  }
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += Math.exp(out[i] - max);
  const lz = max + Math.log(sum);
  let er = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] -= lz;
    if (out[i] !== -Infinity) er += Math.exp(out[i]) * reward[i];
  }
  return er;
}

/** Fixed point with k2 (or k1+, k3+) in the loss: π ∝ π_ref·e^{κ(c)·r/β}, c = E_π r. Writes log π into `out`. */
export function scaledGibbsFixedPoint(logRef: Float64Array, reward: Float64Array, beta: number, kappa: GradientFactor, out: Float64Array): Float64Array {
  const [lo, hi] = rewardRange(logRef, reward);
  const c = lo === hi ? lo : solveForC((c) => tilt(logRef, reward, kappa(c) / beta, out) - c, lo, hi);
  tilt(logRef, reward, kappa(c) / beta, out);
  return out;
}

/** Fixed point with k3 in the loss: π_j = β·π_ref_j/(β + κ(c)·(c − r_j)), c = E_π r (then Σ π = 1). Writes log π into `out`. */
export function k3LossFixedPoint(logRef: Float64Array, reward: Float64Array, beta: number, kappa: GradientFactor, out: Float64Array): Float64Array {
  const [lo, hi] = rewardRange(logRef, reward);
  const residual = (c: number) => {
    const k = kappa(c);
    let sum = 0;
    for (let i = 0; i < reward.length; i++) {
      if (logRef[i] === -Infinity) continue;
      const d = beta + k * (c - reward[i]);
      if (!(d > 0)) return NaN;
      sum += (beta * Math.exp(logRef[i])) / d;
    }
    return sum - 1;
  };
  // Σ π = 1 forces c = E_π r (sum the stationarity condition over j); the residual falls from +∞ near c_min to ≤ 0 at max r.
  const c = lo === hi ? lo : solveForC(residual, lo, hi);
  const k = kappa(c);
  for (let i = 0; i < reward.length; i++) out[i] = logRef[i] === -Infinity ? -Infinity : Math.log(beta) + logRef[i] - Math.log(beta + k * (c - reward[i]));
  return out;
}
