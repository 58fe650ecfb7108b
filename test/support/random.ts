/**
 * Test-only randomness: a seeded mulberry32, deliberately NOT the library's Rng, so that random
 * instances do not depend on the code under test.
 */
export type Uniform = () => number;

/** mulberry32 (Tommy Ettinger): 32-bit state, uniform in [0, 1) with 32 random bits. */
export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi). */
export function between(u: Uniform, lo: number, hi: number): number {
  return lo + (hi - lo) * u();
}

/** Uniform integer in [0, n). */
export function intBelow(u: Uniform, n: number): number {
  return Math.floor(u() * n);
}

/** Standard normal by Box–Muller. */
export function gaussian(u: Uniform): number {
  const a = 1 - u(); // (0, 1]
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * u());
}

/**
 * A random probability vector with a wide dynamic range: weights e^{spread·N(0,1)}, optionally
 * with some entries set to exactly 0 (never all of them).
 */
export function randomSimplex(u: Uniform, n: number, spread = 1.5, zeroFraction = 0): number[] {
  const w = new Array<number>(n);
  for (let i = 0; i < n; i++) w[i] = u() < zeroFraction ? 0 : Math.exp(spread * gaussian(u));
  if (!w.some((x) => x > 0)) w[intBelow(u, n)] = 1;
  let s = 0;
  for (const x of w) s += x;
  return w.map((x) => x / s);
}

/** n uniform rewards in [lo, hi). */
export function randomRewards(u: Uniform, n: number, lo = 0, hi = 1): number[] {
  return Array.from({ length: n }, () => between(u, lo, hi));
}
