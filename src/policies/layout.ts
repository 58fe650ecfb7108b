import type { SequenceWorld, World } from '../tasks/worlds.js';

/**
 * The shape every tabular softmax policy of a world shares: decision points ("rows") with their
 * entries, flattened so bandits and sequence worlds run through the same loops.
 *
 * - Bandit/contextual: one row per prompt x, one entry per completion y (P×V, as the world).
 * - Sequence world: one row per (step k, automaton state s), one entry per arc of s, so the policy
 *   is time-inhomogeneous, as an autoregressive model is: row k·S + s, entry k·A + a (A arcs).
 *   An arc of multiplicity m stands for m tokens with equal logits: the entry's log-probability is
 *   per token, the probability of taking the arc is m times it.
 *
 * Rows are ordered so that `next` always points to a larger row: forward passes (occupancies)
 * run over rows in order, backward passes (values) in reverse order.
 */
export interface PolicyLayout {
  readonly kind: 'bandit' | 'sequence';
  readonly rows: number;
  readonly entries: number;
  /** Entries of row r are rowOffset[r] .. rowOffset[r+1]. */
  readonly rowOffset: Int32Array;
  /** Row of each entry. */
  readonly entryRow: Int32Array;
  /** log of the number of tokens an entry stands for; null when every entry is one token. */
  readonly logMult: Float64Array | null;
  /** log π_ref of one token of the entry (−∞ outside the reference support). */
  readonly logRef: Float64Array;
  /** Reward collected on taking the entry: r(x, y) for bandits; for sequences the terminal reward on the last step, else 0. */
  readonly reward: Float64Array;
  /** Row reached after the entry, −1 when the completion ends; null when every entry ends it (bandits). */
  readonly next: Int32Array | null;
  /** Row where each prompt's completions start (one prompt for a sequence world). */
  readonly startRows: Int32Array;
  /** Tokens per completion (1 for bandits, the horizon for sequence worlds). */
  readonly horizon: number;
  /** The world's maximal reward: success is the probability of ending with it. */
  readonly maxReward: number;
}

/** Entries above which a per-step tabular policy of a sequence world is refused: an optimizer holds ~20 arrays of this length. */
export const MAX_POLICY_ENTRIES = 4_000_000;

function sequenceLayout(world: SequenceWorld): PolicyLayout {
  const S = world.states;
  const L = world.horizon;
  const A = world.arcNext.length;
  const N = L * A;
  if (N > MAX_POLICY_ENTRIES) {
    throw new RangeError(`a per-step policy over horizon ${L} × ${A} arcs has ${N} entries; at most ${MAX_POLICY_ENTRIES}`);
  }
  const rows = L * S;
  const rowOffset = new Int32Array(rows + 1);
  const entryRow = new Int32Array(N);
  const logMult = new Float64Array(N);
  const logRef = new Float64Array(N);
  const reward = new Float64Array(N);
  const next = new Int32Array(N);
  for (let k = 0; k < L; k++) {
    for (let s = 0; s < S; s++) {
      const r = k * S + s;
      rowOffset[r] = k * A + world.arcOffset[s];
      for (let a = world.arcOffset[s]; a < world.arcOffset[s + 1]; a++) {
        const e = k * A + a;
        entryRow[e] = r;
        logMult[e] = world.arcLogMult[a];
        logRef[e] = world.arcLogRef[a];
        const s2 = world.arcNext[a];
        next[e] = k + 1 < L ? (k + 1) * S + s2 : -1;
        reward[e] = k + 1 < L ? 0 : world.terminalReward[s2];
      }
    }
  }
  rowOffset[rows] = N;
  let multiplicities = false;
  for (let a = 0; a < A; a++) if (world.arcLogMult[a] !== 0) multiplicities = true;
  return {
    kind: 'sequence',
    rows,
    entries: N,
    rowOffset,
    entryRow,
    logMult: multiplicities ? logMult : null,
    logRef,
    reward,
    next,
    startRows: Int32Array.of(world.start),
    horizon: L,
    maxReward: world.maxReward,
  };
}

/** The policy layout of a compiled world (the reference and reward arrays are shared, not copied, for bandits). */
export function policyLayout(world: World): PolicyLayout {
  if (world.type === 'sequence') return sequenceLayout(world);
  const P = world.prompts;
  const V = world.actions;
  const rowOffset = new Int32Array(P + 1);
  const entryRow = new Int32Array(P * V);
  for (let x = 0; x <= P; x++) rowOffset[x] = x * V;
  for (let x = 0; x < P; x++) entryRow.fill(x, x * V, (x + 1) * V);
  return {
    kind: 'bandit',
    rows: P,
    entries: P * V,
    rowOffset,
    entryRow,
    logMult: null,
    logRef: world.logRef,
    reward: world.reward,
    next: null,
    startRows: Int32Array.from({ length: P }, (_, x) => x),
    horizon: 1,
    maxReward: world.maxReward,
  };
}

/** True when taking entry e ends the completion. */
export function isTerminal(layout: PolicyLayout, e: number): boolean {
  return layout.next === null || layout.next[e] < 0;
}
