import { FRACTION, HALF_OFFSET, HALF_POW2 } from '../fastExp.js';
import { ADAM_SOFTMAX_WASM } from './adamSoftmaxWasm.js';

/**
 * Adam on per-row logits followed by each row's softmax, in WebAssembly SIMD (adamSoftmax.wat):
 * the optimizers' hottest loop, two doubles per instruction where V8 runs JavaScript one at a time.
 * Bit-identical to torch.optim.Adam's update written out in scalar code followed by
 * TabularPolicy.normalize (test/numerics/adamSoftmaxKernel.test.ts): the same operations in the
 * same order, only in lanes.
 *
 * The arrays live in the kernel's own memory (views below); the caller writes `grad`, `rowCoef`,
 * `logits` and `prob` (the policy the gradient was taken at), calls `step`, and reads `logits`,
 * `prob`, `logp`. The memory never grows, so the views stay valid.
 */

/** Byte offsets and counts as the .wat documents them. */
interface Exports {
  adamExpRows(g: number, m: number, v: number, z: number, p: number, off: number, rows: number, coef: number, stats: number, softmax: number, step: number, c2: number, eps: number, b1: number, b2: number): void;
  scaleRows(z: number, p: number, lp: number, off: number, rows: number, stats: number): void;
}

/** The fastExp tables sit at the start of the memory (FRACTION at 0, HALF_POW2 at 1024, as the .wat expects). */
const TABLE_BYTES = 8 * (FRACTION.length + HALF_POW2.length);
const ARRAYS = 6;
if (HALF_OFFSET !== 1077 || FRACTION.length !== 128) throw new Error('adamSoftmax.wat assumes the fastExp.ts tables of 128 and 1077 + 1025 entries');

// Compiled synchronously, once per thread: allowed in Node and in workers, and on a browser's main
// thread only for modules under 4 KB (Chrome) — this one is ~2.4 KB; keep it so, or compile async.
let compiled: WebAssembly.Module | null = null;
function kernelModule(): WebAssembly.Module {
  if (compiled === null) {
    const bytes = Uint8Array.from(atob(ADAM_SOFTMAX_WASM), (c) => c.charCodeAt(0));
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

export interface AdamHyper {
  beta1: number;
  beta2: number;
  eps: number;
}

export class AdamSoftmaxKernel {
  readonly grad: Float64Array;
  /** Per row, c_r: Adam's gradient is grad − c_r·prob (the softmax chain rule's dense part). */
  readonly rowCoef: Float64Array;
  readonly logits: Float64Array;
  readonly prob: Float64Array;
  readonly logp: Float64Array;
  private readonly ex: Exports;
  private readonly rows: number;
  /** Byte offsets of grad, m, v, logits, prob, logp; of the per-row coefficients and (2 doubles) stats; of the row offsets. */
  private readonly at: number[];
  private readonly coefAt: number;
  private readonly statsAt: number;
  private readonly offAt: number;
  /** Per row: (max, Σ e^{z − max}) from the kernel, then (log Z, 1/Σ) for it. */
  private readonly stats: Float64Array;

  /** Rows [rowOffset[r], rowOffset[r+1]) of rowOffset[rows] entries; Adam moments start at 0. */
  constructor(
    rowOffset: Int32Array,
    private readonly o: AdamHyper,
  ) {
    const n = rowOffset[rowOffset.length - 1];
    this.rows = rowOffset.length - 1;
    // Arrays start on 16-byte boundaries (pairs of doubles load aligned).
    const stride = 8 * (n + (n & 1));
    this.coefAt = TABLE_BYTES + ARRAYS * stride;
    this.statsAt = this.coefAt + 8 * (this.rows + (this.rows & 1));
    this.offAt = this.statsAt + 16 * this.rows;
    const memory = new WebAssembly.Memory({ initial: Math.ceil((this.offAt + 4 * rowOffset.length) / 65536) });
    this.ex = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as Exports;
    const f = new Float64Array(memory.buffer);
    f.set(FRACTION, 0);
    f.set(HALF_POW2, FRACTION.length);
    this.at = Array.from({ length: ARRAYS }, (_, k) => TABLE_BYTES + k * stride);
    this.rowCoef = new Float64Array(memory.buffer, this.coefAt, this.rows);
    this.stats = new Float64Array(memory.buffer, this.statsAt, 2 * this.rows);
    new Int32Array(memory.buffer, this.offAt, rowOffset.length).set(rowOffset);
    const view = (k: number) => new Float64Array(memory.buffer, this.at[k], n);
    this.grad = view(0);
    this.logits = view(3);
    this.prob = view(4);
    this.logp = view(5);
  }

  /**
   * Adam's step number t (from 1) with learning rate lr on the gradient g = grad − rowCoef_r·prob
   * (prob: the policy the gradient was taken at): logits −= lr/(1 − β1^t)·m/(√(v/(1 − β2^t)) + ε).
   * Then, with `softmax`, each row's prob = e^{logit − lse} and logp = logit − lse.
   */
  step(lr: number, t: number, softmax: boolean): void {
    const { beta1, beta2, eps } = this.o;
    const { ex, at, rows, stats } = this;
    // As torch.optim.Adam: step lr/(1 − β1^t), denominator √v/√(1 − β2^t) + ε.
    const step = lr / (1 - beta1 ** t);
    const c2 = 1 / Math.sqrt(1 - beta2 ** t);
    ex.adamExpRows(at[0], at[1], at[2], at[3], at[4], this.offAt, rows, this.coefAt, this.statsAt, softmax ? 1 : 0, step, c2, eps, beta1, beta2);
    if (!softmax) return;
    // log Z = max + log Σ here, in JavaScript's Math.log, as TabularPolicy.normalize.
    for (let r = 0; r < rows; r++) {
      const max = stats[2 * r];
      const sum = stats[2 * r + 1];
      stats[2 * r] = max + Math.log(sum);
      stats[2 * r + 1] = 1 / sum;
    }
    ex.scaleRows(at[3], at[4], at[5], this.offAt, rows, this.statsAt);
  }
}
