/** n points log-spaced from a to b inclusive. */
export function logSpace(a: number, b: number, n: number): number[] {
  const la = Math.log(a);
  const lb = Math.log(b);
  return Array.from({ length: n }, (_, i) => Math.exp(la + ((lb - la) * i) / (n - 1)));
}

/** n points evenly spaced from a to b inclusive. */
export function linSpace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/**
 * Where y crosses `level` along increasing x, interpolating linearly in log x; the first crossing,
 * or null when y stays on one side.
 */
export function interpolateCrossing(x: readonly number[], y: readonly number[], level: number): number | null {
  for (let i = 1; i < x.length; i++) {
    const a = y[i - 1] - level;
    const b = y[i] - level;
    if (a === 0) return x[i - 1];
    if ((a > 0 && b <= 0) || (a < 0 && b >= 0)) {
      const t = a / (a - b);
      return Math.exp(Math.log(x[i - 1]) + t * (Math.log(x[i]) - Math.log(x[i - 1])));
    }
  }
  return null;
}
