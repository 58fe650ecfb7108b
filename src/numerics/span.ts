/**
 * Span seminorm of a − b over the support of b: sp(v) = max v − min v. It ignores additive
 * constants, which makes it the natural norm for log-policies (SPEC §1).
 */
export function spanOfDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    if (b[i] === -Infinity) continue;
    const d = a[i] - b[i];
    if (d < lo) lo = d;
    if (d > hi) hi = d;
  }
  return hi - lo;
}
