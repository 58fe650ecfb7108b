import { expect } from 'vitest';

/**
 * |got − want| ≤ rel·|want| + abs, with a message naming the quantity and the case.
 * `want` comes from an oracle; non-finite values must match exactly.
 */
export function expectClose(got: number, want: number, rel: number, abs = 0, what = ''): void {
  if (!Number.isFinite(want) || !Number.isFinite(got)) {
    expect(got, what).toBe(want);
    return;
  }
  const err = Math.abs(got - want);
  const bound = rel * Math.abs(want) + abs;
  expect(err <= bound, `${what}: got ${got}, want ${want}, |err| ${err.toExponential(2)} > ${bound.toExponential(2)}`).toBe(true);
}

/** The largest relative error of a list of (got, want) pairs, for diagnostics. */
export function maxRel(pairs: [number, number][]): number {
  let m = 0;
  for (const [g, w] of pairs) if (g !== w) m = Math.max(m, Math.abs(g - w) / Math.abs(w));
  return m;
}
