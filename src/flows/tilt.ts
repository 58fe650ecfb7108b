/**
 * Mirror descent and the replicator flow started at π_ref stay in the tilt family
 * π ∝ π_ref·e^{s·r} (F25). These give the tilt s reached: after k steps of size η,
 * s_k = (1 − (1 − ηβ)^k)/β; at time t of the continuous flow, s_t = (1 − e^{−βt})/β.
 * Without a reference KL (β = 0) the tilt grows linearly: s_k = ηk, s_t = t.
 */
export function mirrorDescentTilt(k: number, eta: number, beta: number): number {
  if (beta === 0) return eta * k;
  const c = 1 - eta * beta;
  // expm1/log1p keep the digits when ηβ is small; for ηβ ≥ 1 (c ≤ 0, oscillating) the power is exact enough.
  return c > 0 ? -Math.expm1(k * Math.log1p(-eta * beta)) / beta : (1 - c ** k) / beta;
}

export function replicatorTilt(t: number, beta: number): number {
  return beta === 0 ? t : -Math.expm1(-beta * t) / beta;
}
