/**
 * Neumaier's compensated running sum: the rounding error of every addition is carried in a second
 * term, so a sum of n numbers is off by O(ε·Σ|x|) instead of O(n·ε·Σ|x|). For totals that set a
 * precision floor (a sampler's normalizer, a stationarity residual, the bench's cross-check).
 */
export class CompensatedSum {
  private s: number;
  private c = 0;

  constructor(start = 0) {
    this.s = start;
  }

  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
  }

  get value(): number {
    return this.s + this.c;
  }
}
