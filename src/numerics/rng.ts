import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** FNV-1a over the characters of s, from state h. */
function fnv1a(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

const FNV_BASIS = 0x811c9dc5 | 0;
/** Names repeat (every step splits 'prompt' per prompt): their hashes are kept. */
const labelHashes = new Map<string, number>();
const digits = new Uint8Array(16);

/**
 * The hash of a label: FNV-1a then fmix32 of the string, a number n standing for the string `#n`.
 * Non-negative integers hash their decimal digits directly, with no string built (splits run per
 * prompt per step).
 */
function hashLabel(label: string | number): number {
  if (typeof label === 'string') {
    let h = labelHashes.get(label);
    if (h === undefined) labelHashes.set(label, (h = fmix32(fnv1a(FNV_BASIS, label))));
    return h;
  }
  if (!Number.isSafeInteger(label) || label < 0) return fmix32(fnv1a(FNV_BASIS, `#${label}`));
  let n = 0;
  let x = label;
  do {
    digits[n++] = x % 10;
    x = Math.floor(x / 10);
  } while (x > 0);
  let h = Math.imul(FNV_BASIS ^ 35, 0x01000193); // '#'
  while (n > 0) h = Math.imul(h ^ (48 + digits[--n]), 0x01000193);
  return fmix32(h);
}

/**
 * A seeded, splittable random generator (xoroshiro128+ from pure-rand underneath).
 *
 * Splitting is by *name*, not by position: `rng.split('prompt', 7)` depends only on the seed path
 * (root seed and the labels on the way down), never on how many numbers the parent has drawn.
 * That is what makes a sweep give the same numbers on any worker count and after any resume:
 * every config, prompt or step derives its own stream from its own path.
 */
export class Rng {
  private readonly gen: RandomGenerator;
  private spare = NaN;

  private constructor(private readonly key: readonly [number, number, number, number]) {
    const state = key.map((k, i) => fmix32(k ^ Math.imul(i + 1, 0x9e3779b9)));
    if (!state.some((s) => s !== 0)) state[0] = 1; // xoroshiro must not start at the all-zero state
    this.gen = xoroshiro128plusFromState(state);
    // Decorrelate nearby seeds before the first draw.
    for (let i = 0; i < 8; i++) this.gen.next();
  }

  /** A root generator from an integer seed (any safe integer). */
  static fromSeed(seed: number): Rng {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 0x100000000) >>> 0;
    return new Rng([fmix32(lo ^ 0x243f6a88), fmix32(hi ^ 0x85a308d3), fmix32(lo + 0x13198a2e), fmix32(hi + 0x03707344)]);
  }

  /** An independent child stream named by labels, e.g. `split('step', k)`. */
  split(...labels: (string | number)[]): Rng {
    let [a, b, c, d] = this.key;
    for (const label of labels) {
      const h = hashLabel(label);
      a = fmix32(a ^ h);
      b = fmix32(b + Math.imul(h, 0x27d4eb2d));
      c = fmix32(c ^ Math.imul(a, 0x165667b1));
      d = fmix32(d + (b ^ h));
    }
    return new Rng([a, b, c, d]);
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    const hi = this.gen.next() >>> 5; // 27 bits
    const lo = this.gen.next() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Marsaglia's polar method, spare cached). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }

  /** Fills `out` with uniforms in [0, 1). */
  fillUniform(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform();
    return out;
  }
}
