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
  })
  .strict();

export const contextualTaskSchema = z
  .object({
    kind: z.literal('contextual'),
    prompts: z.union([z.number().int().min(1).max(1_000_000), z.array(explicitBanditSchema).min(1)]),
    vocab: z.number().int().min(2).max(10_000_000).default(1024),
    correctFraction: z.number().min(0).max(1).default(0.02),
    refScale: z.number().finite().nonnegative().default(1),
    seed: z.number().int().default(0),
  })
  .strict()
  .superRefine((t, ctx) => {
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

export const taskSchema = z.discriminatedUnion('kind', [
  banditTaskSchema,
  binaryTaskSchema,
  chainTaskSchema,
  contextualTaskSchema,
]);

export type BanditTask = z.infer<typeof banditTaskSchema>;
export type BinaryTask = z.infer<typeof binaryTaskSchema>;
export type ChainTask = z.infer<typeof chainTaskSchema>;
export type ContextualTask = z.infer<typeof contextualTaskSchema>;
export type Task = BanditTask | BinaryTask | ChainTask | ContextualTask;
export type TaskKind = Task['kind'];
export const TASK_KINDS = ['bandit', 'binary', 'chain', 'contextual'] as const;
