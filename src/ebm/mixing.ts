import { kl } from '../numerics/divergences.js';

/**
 * Convergence of p_{t+1} = p_t·P to the stationary ν from a point mass, and the bounds of SPEC F19
 * ([S]: data processing, χ² contraction) and F20 ([S]: Levin–Peres–Wilmer Ch. 12). The paper's
 * "monotonic KL convergence" and "Theorem 4.8" are reconstructed as these standard statements.
 */
export interface MixingTrace {
  /** KL(p_t‖ν), t = 0..steps. */
  kl: number[];
  /** χ²(p_t‖ν) = Σ (p_t − ν)²/ν = ‖p_t/ν − 1‖²_{L²(ν)}. */
  chi2: number[];
  /** ‖p_t − ν‖_TV = ½ Σ |p_t − ν|. */
  tv: number[];
}

export function mixingTrace(n: number, P: Float64Array, pi: Float64Array, logPi: Float64Array, start: number, steps: number): MixingTrace {
  let p = new Float64Array(n);
  let next = new Float64Array(n);
  const logp = new Float64Array(n);
  p[start] = 1;
  const out: MixingTrace = { kl: [], chi2: [], tv: [] };
  for (let t = 0; ; t++) {
    let chi2 = 0;
    let tv = 0;
    for (let g = 0; g < n; g++) {
      const d = p[g] - pi[g];
      chi2 += (d * d) / pi[g];
      tv += Math.abs(d);
      logp[g] = Math.log(p[g]);
    }
    out.kl.push(kl(logp, logPi));
    out.chi2.push(chi2);
    out.tv.push(tv / 2);
    if (t === steps) return out;
    next.fill(0);
    for (let f = 0; f < n; f++) {
      const w = p[f];
      if (w === 0) continue;
      const row = f * n;
      for (let g = 0; g < n; g++) next[g] += w * P[row + g];
    }
    // T preserves mass exactly; in floating point the total drifts by ~ε per step, and that drift
    // (a multiple of ν that never decays) would put a floor of ~(tε)² under χ².
    let total = 0;
    for (let g = 0; g < n; g++) total += next[g];
    for (let g = 0; g < n; g++) next[g] /= total;
    [p, next] = [next, p];
  }
}

export interface MixingBounds {
  /** χ²(p_t‖ν) ≤ λ*^{2t}·χ²(p_0‖ν), χ²(δ_x‖ν) = 1/ν(x) − 1 (F19–F20). */
  chi2: number[];
  /** KL ≤ log(1 + χ²) (Jensen) applied to the χ² bound. */
  kl: number[];
  /** ‖p_t − ν‖_TV ≤ ½·λ*^t·√((1 − ν(x))/ν(x)) (F20). */
  tv: number[];
}

/** The F20 bounds for a reversible chain with λ* = max(|λ₂|, |λ_min|), started at a point mass of stationary weight ν(x). */
export function mixingBounds(lambdaStar: number, piStart: number, steps: number): MixingBounds {
  const chi0 = (1 - piStart) / piStart;
  const out: MixingBounds = { chi2: [], kl: [], tv: [] };
  for (let t = 0; t <= steps; t++) {
    const c = lambdaStar ** (2 * t) * chi0;
    out.chi2.push(c);
    out.kl.push(Math.log1p(c));
    out.tv.push(0.5 * lambdaStar ** t * Math.sqrt(chi0));
  }
  return out;
}
