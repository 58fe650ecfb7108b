/**
 * e^x and e^x − 1 by table lookup and a short polynomial, for the hot loops (Gibbs rows, mirror
 * descent, softmax normalization), where V8's Math.exp (a call into fdlibm, ~10 ns here) dominated;
 * these take ~3 ns (docs/performance.md).
 *
 * x = (k/128)·ln 2 + r with k = round(128·x/ln 2) and |r| ≤ ln 2/256, so
 * e^x = 2^{⌊k/128⌋ − 1} · 2^{(k mod 128)/128} · 2e^r. The powers of two are exact table entries,
 * the 128 entries 2^{j/128} are within 1.03 units of 2^−53 of the truth, and 2e^r is its degree-5
 * Taylor polynomial (truncation |r|^6/360 < 2e−18). The roundings add up to at most ~4·2^−53 ≈
 * 4.4e−16 relative wherever e^x is a normal number (x > −708); test/numerics/fastExp.test.ts
 * measures the maximum over the whole range against a 320-bit reference and holds it below 1e−15.
 * Subnormal results (x < −708) are within 2^−1073 absolute (one or two roundings at the bottom of
 * the range; e^{−745} comes out 0 rather than 5e−324). −∞ gives 0, +∞ and x > 709.79 give ∞, NaN
 * gives NaN.
 *
 * No branch calls out (a call in the loop body made V8 spill every live register around it,
 * doubling the cost): the argument is clamped to [−745.2, 710], where the tables cover every k.
 */

const TABLE_BITS = 7;
const N = 1 << TABLE_BITS;
/** 1.5·2^52: adding and subtracting it rounds a double of magnitude < 2^51 to the nearest integer. */
const ROUND = 6755399441055744;
const INV_STEP = N / Math.LN2;
// ln 2/128 split so that k·STEP_HI is exact for |k| < 2^20 (fdlibm's ln2_hi has 32 significant bits).
const STEP_HI = 6.93147180369123816490e-1 / N;
const STEP_LO = 1.90821492927058770002e-10 / N;
const X_MIN = -745.2;
const X_MAX = 710;

/** 2^{j/128}, j = 0..127 (exported for the WebAssembly kernels, which read the same tables). */
export const FRACTION = Float64Array.from({ length: N }, (_, j) => 2 ** (j / N));
/**
 * 2^{m−1} at index m + HALF_OFFSET for m = −1077..1024 (⌊k/128⌋ over the clamped range); the half
 * keeps 2^1024·(…) < 2^1024 representable as 2^1023·(2·…). Entries below 2^−1074 are 0.
 */
export const HALF_OFFSET = 1077;
export const HALF_POW2 = (() => {
  const t = new Float64Array(HALF_OFFSET + 1025);
  t[HALF_OFFSET + 1] = 1;
  for (let m = 2; m <= 1024; m++) t[HALF_OFFSET + m] = t[HALF_OFFSET + m - 1] * 2;
  for (let m = 0; m >= -HALF_OFFSET; m--) t[HALF_OFFSET + m] = t[HALF_OFFSET + m + 1] / 2;
  return t;
})();

/** e^x to within 1e−15 relative (see the module comment). */
export function fastExp(x: number): number {
  const xc = x < X_MIN ? X_MIN : x > X_MAX ? X_MAX : x; // NaN passes through
  const kf = xc * INV_STEP + ROUND - ROUND;
  const k = kf | 0;
  const r = xc - kf * STEP_HI - kf * STEP_LO;
  const twoExpR = 2 + r * (2 + r * (1 + r * (1 / 3 + r * (1 / 12 + r * (1 / 60)))));
  return HALF_POW2[(k >> TABLE_BITS) + HALF_OFFSET] * FRACTION[k & (N - 1)] * twoExpR;
}

// e^x − 1 for |x| < 1: k ∈ [−185, 185]; 2^{k/128} and 2^{k/128} − 1 per k.
const M1_RANGE = 186;
const M1_POW = Float64Array.from({ length: 2 * M1_RANGE + 1 }, (_, i) => 2 ** ((i - M1_RANGE) / N));
/** 2^{k/128} − 1 from expm1, so small values keep their relative precision. */
const M1_POW_M1 = Float64Array.from({ length: 2 * M1_RANGE + 1 }, (_, i) => Math.expm1(((i - M1_RANGE) * Math.LN2) / N));

/**
 * e^x − 1 to within 1e−15 relative: for |x| < 1 as (2^{k/128} − 1) + 2^{k/128}·(e^r − 1), whose two
 * terms never cancel by more than a factor 2 (|e^r − 1| ≤ 0.0028 < |2^{k/128} − 1| for k ≠ 0);
 * otherwise e^x − 1, which cancels at most a factor e/(e − 1) ≈ 1.6.
 */
export function fastExpm1(x: number): number {
  if (!(x > -1 && x < 1)) return fastExp(x) - 1;
  const kf = x * INV_STEP + ROUND - ROUND;
  const k = kf | 0;
  const r = x - kf * STEP_HI - kf * STEP_LO;
  const pm1 = r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return M1_POW_M1[k + M1_RANGE] + M1_POW[k + M1_RANGE] * pm1;
}
