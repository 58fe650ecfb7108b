import { z } from 'zod';

/**
 * The one schema for task files. Every type of a task is derived from it (`Task`, `BanditTask`, …),
 * so the CLI, the experiments and the web lab validate the same way. New kinds (`automaton`,
 * `refine`) join the discriminated union below.
 */

const finite = z.number().finite();
const probability = z.number().finite().nonnegative();
const openUnit = z.number().gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)');

/** Shape of an explicit bandit: a reference as probabilities (renormalized) or logits, and a reward per completion. */
const explicitBanditShape = {
  ref: z.array(probability).min(1).optional(),
  refLogits: z.array(finite).min(1).optional(),
  reward: z.array(finite).min(1),
};

type ExplicitBandit = { ref?: number[]; refLogits?: number[]; reward: number[] };

function checkExplicitBandit(t: ExplicitBandit, ctx: z.RefinementCtx): void {
  if ((t.ref === undefined) === (t.refLogits === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['ref'], message: 'give exactly one of ref (probabilities) or refLogits' });
    return;
  }
  const ref = t.ref ?? t.refLogits!;
  const key = t.ref ? 'ref' : 'refLogits';
  if (ref.length !== t.reward.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['reward'],
      message: `has ${t.reward.length} entries but ${key} has ${ref.length}; lengths must match`,
    });
  }
  if (t.ref && !t.ref.some((v) => v > 0)) {
    ctx.addIssue({ code: 'custom', path: ['ref'], message: 'must have at least one positive entry' });
  }
}

export const explicitBanditSchema = z.object(explicitBanditShape).strict().superRefine(checkExplicitBandit);

export const banditTaskSchema = z
  .object({ kind: z.literal('bandit'), ...explicitBanditShape })
  .strict()
  .superRefine(checkExplicitBandit);

export const binaryTaskSchema = z
  .object({
    kind: z.literal('binary'),
    p: openUnit.describe('reference probability of a correct completion'),
    delta: z.number().finite().positive().default(1).describe('reward of a correct completion'),
  })
  .strict();

export const chainTaskSchema = z
  .object({
    kind: z.literal('chain'),
    K: z.number().int().min(1).max(100_000).describe('number of reasoning steps'),
    q: openUnit.describe('reference probability of the correct token at each step'),
    vocab: z.number().int().min(2).max(1e9).default(16).describe('tokens per step'),
    delta: z.number().finite().positive().default(1).describe('reward per step when the whole chain is correct'),
    decoy: z
      .number()
      .min(0)
      .lt(1)
      .optional()
      .describe('reference probability of one wrong token per step (a high-probability wrong mode; 0 when absent)'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (!t.decoy) return;
    if (t.vocab < 3) ctx.addIssue({ code: 'custom', path: ['decoy'], message: 'needs vocab ≥ 3 (the decoy and at least one other wrong token)' });
    else if (!(t.q + t.decoy < 1)) ctx.addIssue({ code: 'custom', path: ['decoy'], message: `q + decoy = ${t.q + t.decoy}; must be < 1 (the other wrong tokens keep some mass)` });
  });

export const contextualTaskSchema = z
  .object({
    kind: z.literal('contextual'),
    prompts: z.union([z.number().int().min(1).max(1_000_000), z.array(explicitBanditSchema).min(1)]),
    vocab: z.number().int().min(2).max(10_000_000).default(1024),
    correctFraction: z.number().min(0).max(1).default(0.02),
    refScale: z.number().finite().nonnegative().default(1),
    seed: z.number().int().default(0),
    decoy: z
      .number()
      .finite()
      .nonnegative()
      .optional()
      .describe('logit added to one wrong completion per generated prompt (a high-probability wrong mode; 0 when absent)'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (Array.isArray(t.prompts) && t.decoy) ctx.addIssue({ code: 'custom', path: ['decoy'], message: 'only for generated prompts (explicit prompts give their own reference)' });
    if (!Array.isArray(t.prompts)) return;
    const V = t.prompts[0].reward.length;
    t.prompts.forEach((p, i) => {
      if (p.reward.length !== V) {
        ctx.addIssue({
          code: 'custom',
          path: ['prompts', i, 'reward'],
          message: `has ${p.reward.length} entries; every prompt must have ${V} (as prompts[0])`,
        });
      }
    });
  });

/** Largest number of responses of a refinement chain: its analysis is dense, O(n²) memory and O(n³) time. */
export const MAX_REFINE_STATES = 4000;
/** Largest |Σ_g π_ref(g|f) − 1| accepted in a row of an explicit proposal (rows are renormalized after the check). */
export const ROW_SUM_TOLERANCE = 1e-9;

const refineGenerateSchema = z
  .object({
    states: z.number().int().min(2).max(MAX_REFINE_STATES).describe('number of responses n'),
    neighbors: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('revisions are proposed among the responses within this ring distance (itself included); all responses when absent'),
    reversible: z.boolean().default(true),
    asymmetry: z.number().finite().nonnegative().optional().describe('size of the antisymmetric part of log π_ref (0 when reversible, default 1 otherwise)'),
    refScale: z.number().finite().nonnegative().default(1).describe('symmetric proposal log-weights ~ refScale·N(0,1)'),
    qualityScale: z.number().finite().nonnegative().default(1).describe('quality u(f) ~ qualityScale·N(0,1)'),
    seed: z.number().int().default(0),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.reversible && g.asymmetry !== undefined && g.asymmetry > 0) {
      ctx.addIssue({ code: 'custom', path: ['asymmetry'], message: 'must be 0 when reversible is true (an asymmetry makes π_ref non-reversible)' });
    }
    if (!g.reversible && g.asymmetry === 0) {
      ctx.addIssue({ code: 'custom', path: ['asymmetry'], message: 'must be > 0 when reversible is false' });
    }
  });

/** A response that cannot be reached from response 0 (from0) or cannot reach it, through positive entries; null when irreducible. */
function irreducibilityBreak(ref: number[][]): { state: number; from0: boolean } | null {
  const n = ref.length;
  for (const from0 of [true, false]) {
    const seen = new Uint8Array(n);
    const stack = [0];
    seen[0] = 1;
    while (stack.length) {
      const f = stack.pop()!;
      for (let g = 0; g < n; g++) {
        if (!seen[g] && (from0 ? ref[f][g] : ref[g][f]) > 0) {
          seen[g] = 1;
          stack.push(g);
        }
      }
    }
    const missing = seen.indexOf(0);
    if (missing >= 0) return { state: missing, from0 };
  }
  return null;
}

/**
 * A response-refinement chain (SPEC F15–F17, a reconstruction of arXiv 2512.18730 §4): an n×n
 * row-stochastic proposal π_ref(g|f) with a quality u(f) per response, or a generated one.
 */
export const refineTaskSchema = z
  .object({
    kind: z.literal('refine'),
    ref: z.array(z.array(z.number().finite().nonnegative('must be a probability ≥ 0'))).min(2).max(MAX_REFINE_STATES).optional().describe('π_ref(g|f), row f = current response'),
    quality: z.array(finite).min(2).max(MAX_REFINE_STATES).optional().describe('u(f) for each response f'),
    generate: refineGenerateSchema.optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.ref === undefined) === (t.generate === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ref'], message: 'give exactly one of ref (an n×n proposal matrix) or generate' });
      return;
    }
    const n = t.ref ? t.ref.length : t.generate!.states;
    if (t.quality === undefined) {
      if (t.ref) ctx.addIssue({ code: 'custom', path: ['quality'], message: 'an explicit ref needs quality (one number per response)' });
    } else if (t.quality.length !== n) {
      ctx.addIssue({
        code: 'custom',
        path: ['quality'],
        message: `has ${t.quality.length} entries but there are ${n} responses (${t.ref ? 'rows of ref' : 'generate.states'}); lengths must match`,
      });
    }
    if (!t.ref) return;
    for (let f = 0; f < n; f++) {
      const row = t.ref[f];
      if (row.length !== n) {
        ctx.addIssue({ code: 'custom', path: ['ref', f], message: `has ${row.length} entries; ref must be square (${n}×${n})` });
        return;
      }
      let sum = 0;
      for (const v of row) sum += v;
      if (!(Math.abs(sum - 1) <= ROW_SUM_TOLERANCE)) {
        ctx.addIssue({ code: 'custom', path: ['ref', f], message: `sums to ${sum}; every row π_ref(·|f) must sum to 1 (±${ROW_SUM_TOLERANCE})` });
        return;
      }
    }
    const broken = irreducibilityBreak(t.ref);
    if (broken) {
      const where = broken.from0 ? `response ${broken.state} cannot be reached from response 0` : `response 0 cannot be reached from response ${broken.state}`;
      ctx.addIssue({
        code: 'custom',
        path: ['ref'],
        message: `is not irreducible: ${where}; the chain analysis needs every response reachable from every other`,
      });
    }
  });

/** Largest number of arcs (states × vocab) of an automaton task. */
export const MAX_AUTOMATON_ARCS = 10_000_000;

/**
 * A verifier as a deterministic automaton over tokens (reward 1 when the state after `horizon`
 * tokens is accepting): generated from (states, vocab, acceptFraction, seed), or explicit
 * transitions[s][t], accepting states and optional refLogits[s][t] (uniform when absent).
 */
export const automatonTaskSchema = z
  .object({
    kind: z.literal('automaton'),
    horizon: z.number().int().min(1).max(100_000).describe('sequence length L'),
    states: z.number().int().min(1).max(MAX_AUTOMATON_ARCS).optional(),
    vocab: z.number().int().min(1).max(MAX_AUTOMATON_ARCS).optional(),
    acceptFraction: z.number().gt(0, 'must be in (0, 1]').max(1, 'must be in (0, 1]').optional(),
    seed: z.number().int().default(0),
    start: z.number().int().min(0).default(0),
    transitions: z.array(z.array(z.number().int().min(0))).min(1).optional().describe('next state after token t in state s'),
    accepting: z.array(z.number().int().min(0)).min(1).optional(),
    refLogits: z.array(z.array(finite)).optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    if (t.transitions === undefined) {
      if (t.states === undefined) return issue(['states'], 'give states and vocab (generated), or transitions and accepting (explicit)');
      if (t.vocab === undefined) return issue(['vocab'], 'a generated automaton needs vocab (tokens per state)');
      if (t.accepting !== undefined) return issue(['accepting'], 'only with explicit transitions (a generated automaton draws them from acceptFraction)');
      if (t.refLogits !== undefined) return issue(['refLogits'], 'only with explicit transitions');
      if (t.states * t.vocab > MAX_AUTOMATON_ARCS) return issue(['vocab'], `states × vocab = ${t.states * t.vocab} arcs; at most ${MAX_AUTOMATON_ARCS}`);
      if (t.start >= t.states) return issue(['start'], `must be a state in [0, ${t.states})`);
      return;
    }
    const S = t.transitions.length;
    const V = t.transitions[0].length;
    if (t.acceptFraction !== undefined) return issue(['acceptFraction'], 'only for generated automata (without transitions)');
    if (t.accepting === undefined) return issue(['accepting'], 'explicit transitions need the accepting states');
    if (t.states !== undefined && t.states !== S) return issue(['states'], `transitions has ${S} rows; states must match (or be left out)`);
    if (t.vocab !== undefined && t.vocab !== V) return issue(['vocab'], `transitions[0] has ${V} tokens; vocab must match (or be left out)`);
    if (V < 1) return issue(['transitions', 0], 'must list the next state of at least one token');
    if (S * V > MAX_AUTOMATON_ARCS) return issue(['transitions'], `${S} × ${V} arcs; at most ${MAX_AUTOMATON_ARCS}`);
    for (let s = 0; s < S; s++) {
      const row = t.transitions[s];
      if (row.length !== V) return issue(['transitions', s], `has ${row.length} entries; every state needs one next state per token (${V}, as transitions[0])`);
      const bad = row.findIndex((x) => x >= S);
      if (bad >= 0) return issue(['transitions', s, bad], `must be a state in [0, ${S})`);
    }
    const badAccept = t.accepting.findIndex((x) => x >= S);
    if (badAccept >= 0) return issue(['accepting', badAccept], `must be a state in [0, ${S})`);
    if (t.start >= S) return issue(['start'], `must be a state in [0, ${S})`);
    if (t.refLogits !== undefined) {
      if (t.refLogits.length !== S) return issue(['refLogits'], `has ${t.refLogits.length} rows; must have one per state (${S})`);
      const badRow = t.refLogits.findIndex((r) => r.length !== V);
      if (badRow >= 0) return issue(['refLogits', badRow], `has ${t.refLogits[badRow].length} entries; must have one per token (${V})`);
    }
  });

export const taskSchema = z.discriminatedUnion('kind', [
  banditTaskSchema,
  binaryTaskSchema,
  chainTaskSchema,
  contextualTaskSchema,
  automatonTaskSchema,
  refineTaskSchema,
]);

export type BanditTask = z.infer<typeof banditTaskSchema>;
export type BinaryTask = z.infer<typeof binaryTaskSchema>;
export type ChainTask = z.infer<typeof chainTaskSchema>;
export type ContextualTask = z.infer<typeof contextualTaskSchema>;
export type AutomatonTask = z.infer<typeof automatonTaskSchema>;
export type RefineTask = z.infer<typeof refineTaskSchema>;
export type Task = BanditTask | BinaryTask | ChainTask | ContextualTask | AutomatonTask | RefineTask;
export type TaskKind = Task['kind'];
export const TASK_KINDS = ['bandit', 'binary', 'chain', 'contextual', 'automaton', 'refine'] as const;
