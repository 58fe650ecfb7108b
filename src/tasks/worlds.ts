import { logSoftmax } from '../numerics/softmax.js';
import { Rng } from '../numerics/rng.js';
import type { AutomatonTask, BanditTask, BinaryTask, ChainTask, ContextualTask, RefineTask, Task } from './schema.js';

/**
 * Compiled worlds: the flat typed-array forms the math runs on.
 *
 * - `BanditWorld`: P prompts × V completions (P = 1 for bandit/binary), row-major log π_ref and r.
 *   A row's zero-probability completions have log π_ref = −∞.
 * - `SequenceWorld`: a layered deterministic automaton over tokens with horizon L, whose
 *   sequence-level Gibbs policy is computed by backward soft-value recursion, never by
 *   enumerating sequences. Arcs are stored in CSR form; an arc stands for `mult` tokens with equal
 *   reference probability and the same next state (the chain's V−1 wrong tokens are one arc), so
 *   a chain over a vocabulary of 10^9 costs two arcs per state. Automaton verifiers use mult = 1.
 */
export interface BanditWorld {
  readonly type: 'bandit';
  readonly prompts: number;
  readonly actions: number;
  /** log π_ref(y|x), row-major P×V; each row normalized. */
  readonly logRef: Float64Array;
  /** r(x, y), row-major P×V. */
  readonly reward: Float64Array;
  /** The maximal reward of the task: `success` is the probability of receiving it. */
  readonly maxReward: number;
}

export interface SequenceWorld {
  readonly type: 'sequence';
  readonly states: number;
  readonly horizon: number;
  readonly start: number;
  /** Arcs of state s are arcOffset[s] .. arcOffset[s+1]. */
  readonly arcOffset: Int32Array;
  readonly arcNext: Int32Array;
  /** log π_ref of ONE token of the arc (per-state normalized over all tokens, counting multiplicity). */
  readonly arcLogRef: Float64Array;
  /** log of the number of tokens the arc stands for. */
  readonly arcLogMult: Float64Array;
  /** Reward received at the end of the horizon in each state. */
  readonly terminalReward: Float64Array;
  readonly maxReward: number;
}

export type World = BanditWorld | SequenceWorld;

function banditRow(ref: number[] | undefined, refLogits: number[] | undefined, out: Float64Array, offset: number): void {
  const n = (ref ?? refLogits)!.length;
  const row = out.subarray(offset, offset + n);
  if (ref) for (let i = 0; i < n; i++) row[i] = Math.log(ref[i]);
  else row.set(refLogits!);
  logSoftmax(row, row);
}

/** The maximal reward over completions the reference can produce (success = reaching it). */
function maxSupportedReward(logRef: Float64Array, reward: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < reward.length; i++) if (logRef[i] !== -Infinity && reward[i] > m) m = reward[i];
  return m;
}

export function banditWorld(task: BanditTask): BanditWorld {
  const V = task.reward.length;
  const logRef = new Float64Array(V);
  banditRow(task.ref, task.refLogits, logRef, 0);
  const reward = Float64Array.from(task.reward);
  return { type: 'bandit', prompts: 1, actions: V, logRef, reward, maxReward: maxSupportedReward(logRef, reward) };
}

/** The two-outcome world: completion 0 is correct (reward δ, probability p), completion 1 is wrong. */
export function binaryWorld(task: BinaryTask): BanditWorld {
  const logRef = Float64Array.of(Math.log(task.p), Math.log1p(-task.p));
  const reward = Float64Array.of(task.delta, 0);
  return { type: 'bandit', prompts: 1, actions: 2, logRef, reward, maxReward: task.delta };
}

export function contextualWorld(task: ContextualTask): BanditWorld {
  if (Array.isArray(task.prompts)) {
    const V = task.prompts[0].reward.length; // equal lengths are checked by the schema
    const P = task.prompts.length;
    const logRef = new Float64Array(P * V);
    const reward = new Float64Array(P * V);
    task.prompts.forEach((p, i) => {
      banditRow(p.ref, p.refLogits, logRef, i * V);
      reward.set(p.reward, i * V);
    });
    return { type: 'bandit', prompts: P, actions: V, logRef, reward, maxReward: maxSupportedReward(logRef, reward) };
  }
  const P = task.prompts;
  return contextualPromptRange({ ...task, prompts: P }, 0, P);
}

/**
 * Prompts [from, to) of a generated contextual task as a world of their own: the rows
 * `contextualWorld` gives them, bit for bit (each prompt draws from its own named stream), without
 * generating the others — so threads can each generate their share.
 */
export function contextualPromptRange(task: ContextualTask & { prompts: number }, from: number, to: number): BanditWorld {
  const P = to - from;
  const V = task.vocab;
  const logRef = new Float64Array(P * V);
  const reward = new Float64Array(P * V);
  const root = Rng.fromSeed(task.seed);
  for (let i = 0; i < P; i++) {
    // One stream per prompt: prompt x is the same whatever P is.
    const rng = root.split('prompt', from + i);
    const row = logRef.subarray(i * V, (i + 1) * V);
    for (let y = 0; y < V; y++) {
      row[y] = task.refScale * rng.normal();
      reward[i * V + y] = rng.uniform() < task.correctFraction ? 1 : 0;
    }
    // The decoy lifts the prompt's first wrong completion after the draws, so the stream (and every other prompt) is unchanged.
    if (task.decoy) {
      const wrong = reward.subarray(i * V, (i + 1) * V).indexOf(0);
      if (wrong >= 0) row[wrong] += task.decoy;
    }
    logSoftmax(row, row);
  }
  return { type: 'bandit', prompts: P, actions: V, logRef, reward, maxReward: 1 };
}

/**
 * The K-step chain as an automaton with two states: 0 = "every token so far correct", 1 = "a
 * wrong token was emitted". Each step: the correct token (probability q) keeps the state, the V−1
 * wrong tokens (probability (1−q)/(V−1) each, one arc of multiplicity V−1) move to state 1.
 * Reward K·δ at the end in state 0.
 *
 * With a decoy d > 0 one wrong token has probability d and the other V−2 share 1 − q − d (three
 * arcs per state): a reference with a high-probability wrong mode and a rare correct token, where
 * entropy collapse onto one mode and its cures are visible token by token.
 */
export function chainWorld(task: ChainTask): SequenceWorld {
  if (task.decoy) return decoyChainWorld(task, task.decoy);
  const { K, q, vocab: V, delta } = task;
  const logQ = Math.log(q);
  const logWrong = Math.log1p(-q) - Math.log(V - 1);
  const logMultWrong = Math.log(V - 1);
  return {
    type: 'sequence',
    states: 2,
    horizon: K,
    start: 0,
    arcOffset: Int32Array.of(0, 2, 4),
    arcNext: Int32Array.of(0, 1, 1, 1),
    arcLogRef: Float64Array.of(logQ, logWrong, logQ, logWrong),
    arcLogMult: Float64Array.of(0, logMultWrong, 0, logMultWrong),
    terminalReward: Float64Array.of(K * delta, 0),
    maxReward: K * delta,
  };
}

function decoyChainWorld(task: ChainTask, d: number): SequenceWorld {
  const { K, q, vocab: V, delta } = task;
  const logRest = Math.log1p(-q - d) - Math.log(V - 2);
  const logMultRest = Math.log(V - 2);
  return {
    type: 'sequence',
    states: 2,
    horizon: K,
    start: 0,
    // Per state: correct, decoy, the other wrong tokens.
    arcOffset: Int32Array.of(0, 3, 6),
    arcNext: Int32Array.of(0, 1, 1, 1, 1, 1),
    arcLogRef: Float64Array.of(Math.log(q), Math.log(d), logRest, Math.log(q), Math.log(d), logRest),
    arcLogMult: Float64Array.of(0, 0, logMultRest, 0, 0, logMultRest),
    terminalReward: Float64Array.of(K * delta, 0),
    maxReward: K * delta,
  };
}

/**
 * A verifier automaton (states × vocab arcs of multiplicity 1, reward 1 in accepting states after
 * `horizon` tokens). Generated: each state draws its next states (uniform) and reference logits
 * (N(0,1)) from its own named stream; round(acceptFraction·S) accepting states (at least one) by
 * a seeded partial shuffle.
 */
export function automatonWorld(task: AutomatonTask): SequenceWorld {
  const explicit = task.transitions;
  const S = explicit ? explicit.length : task.states!;
  const V = explicit ? explicit[0].length : task.vocab!;
  const arcOffset = new Int32Array(S + 1);
  const arcNext = new Int32Array(S * V);
  const arcLogRef = new Float64Array(S * V);
  const terminalReward = new Float64Array(S);
  const root = Rng.fromSeed(task.seed);
  for (let s = 0; s < S; s++) {
    arcOffset[s + 1] = (s + 1) * V;
    const row = arcLogRef.subarray(s * V, (s + 1) * V);
    if (explicit) {
      arcNext.set(explicit[s], s * V);
      if (task.refLogits) row.set(task.refLogits[s]);
    } else {
      const rng = root.split('state', s);
      for (let t = 0; t < V; t++) {
        arcNext[s * V + t] = rng.int(S);
        row[t] = rng.normal();
      }
    }
    logSoftmax(row, row);
  }
  if (task.accepting) {
    for (const s of task.accepting) terminalReward[s] = 1;
  } else {
    const order = Int32Array.from({ length: S }, (_, i) => i);
    const rng = root.split('accepting');
    const k = Math.max(1, Math.round((task.acceptFraction ?? 0.1) * S));
    for (let i = 0; i < k; i++) {
      const j = i + rng.int(S - i);
      [order[i], order[j]] = [order[j], order[i]];
      terminalReward[order[i]] = 1;
    }
  }
  return {
    type: 'sequence',
    states: S,
    horizon: task.horizon,
    start: task.start,
    arcOffset,
    arcNext,
    arcLogRef,
    arcLogMult: new Float64Array(S * V),
    terminalReward,
    maxReward: 1,
  };
}

/**
 * A response-refinement chain (SPEC F15–F17, reconstructed from the abstract of arXiv 2512.18730):
 * n responses, the proposal log π_ref(g|f) (row-major n×n, rows normalized, −∞ off the support)
 * and the quality u(f). Its analysis (src/ebm) iterates the tuned kernel
 * T(g|f) ∝ π_ref(g|f)·e^{u(g)/β}; as a `World` it is `refinePolicyWorld`.
 */
export interface RefineWorld {
  readonly type: 'refine';
  readonly states: number;
  readonly logRef: Float64Array;
  readonly quality: Float64Array;
}

/**
 * A generated proposal: symmetric log-weights s_fg ~ refScale·N(0,1) on the ring neighbourhood
 * d(f, g) ≤ neighbors (all pairs when absent; self-proposals included, so the chain is aperiodic),
 * plus asymmetry·a_fg with a_fg = −a_gf ~ N(0,1). With asymmetry 0, π_ref(g|f) = W_fg/Σ_g W_fg for
 * a symmetric W, reversible w.r.t. μ(f) ∝ Σ_g W_fg (F17). An antisymmetric part that is not a
 * gradient breaks Kolmogorov's cycle criterion, so the violation grows with `asymmetry`; the
 * symmetric part and the direction a are drawn whatever the asymmetry, so instances differing only
 * in `asymmetry` form a one-parameter family.
 */
function generatedProposal(g: NonNullable<RefineTask['generate']>): Float64Array {
  const n = g.states;
  const asymmetry = g.asymmetry ?? (g.reversible ? 0 : 1);
  const root = Rng.fromSeed(g.seed);
  const logRef = new Float64Array(n * n).fill(-Infinity);
  for (let f = 0; f < n; f++) {
    const sym = root.split('ref', f);
    const skew = root.split('asymmetry', f);
    for (let h = f; h < n; h++) {
      if (g.neighbors !== undefined && Math.min(h - f, n - (h - f)) > g.neighbors) continue;
      const s = g.refScale * sym.normal();
      const a = h === f ? 0 : skew.normal() * asymmetry;
      logRef[f * n + h] = s + a;
      logRef[h * n + f] = s - a;
    }
  }
  for (let f = 0; f < n; f++) logSoftmax(logRef, logRef, f * n, (f + 1) * n);
  return logRef;
}

export function refineWorld(task: RefineTask): RefineWorld {
  const n = task.ref ? task.ref.length : task.generate!.states;
  let logRef: Float64Array;
  if (task.ref) {
    logRef = new Float64Array(n * n);
    task.ref.forEach((row, f) => banditRow(row, undefined, logRef, f * n));
  } else {
    logRef = generatedProposal(task.generate!);
  }
  let quality: Float64Array;
  if (task.quality) {
    quality = Float64Array.from(task.quality);
  } else {
    const rng = Rng.fromSeed(task.generate!.seed).split('quality');
    quality = Float64Array.from({ length: n }, () => task.generate!.qualityScale * rng.normal());
  }
  return { type: 'refine', states: n, logRef, quality };
}

/**
 * The tuned model of a refinement chain as a policy world (F15–F16): each response f is a prompt
 * whose completions are the revisions g with reward u(g), so its Gibbs equilibrium at τ = β is the
 * kernel T(·|f). The equilibrium and flow commands see a refine task this way (means over f).
 */
export function refinePolicyWorld(world: RefineWorld): BanditWorld {
  const n = world.states;
  const reward = new Float64Array(n * n);
  for (let f = 0; f < n; f++) reward.set(world.quality, f * n);
  return { type: 'bandit', prompts: n, actions: n, logRef: world.logRef, reward, maxReward: maxSupportedReward(world.logRef, reward) };
}

export function compileTask(task: Task): World {
  switch (task.kind) {
    case 'bandit':
      return banditWorld(task);
    case 'binary':
      return binaryWorld(task);
    case 'contextual':
      return contextualWorld(task);
    case 'chain':
      return chainWorld(task);
    case 'automaton':
      return automatonWorld(task);
    case 'refine':
      return refinePolicyWorld(refineWorld(task));
  }
}
