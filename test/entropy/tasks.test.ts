import { describe, expect, it } from 'vitest';
import { chainWorld, compileTask, taskSchema, type BanditWorld, type ChainTask, type ContextualTask } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { fsum } from '../support/oracle.js';
import { enumeratePaths, refPathLogProbs } from '../policies/enumerate.js';

describe('chain with a decoy: a high-probability wrong token and a rare correct one', () => {
  const task = taskSchema.parse({ kind: 'chain', K: 3, q: 0.1, vocab: 5, decoy: 0.6 }) as ChainTask;
  const world = chainWorld(task);

  it('per step: the correct token q, the decoy d, the other V−2 tokens (1 − q − d)/(V − 2) each (enumerated sequences)', () => {
    const paths = enumeratePaths(world);
    expect(paths).toHaveLength(5 ** 3);
    const lp = refPathLogProbs(world, paths);
    expectClose(fsum(lp.map(Math.exp)), 1, 1e-14);
    const success = fsum(lp.map((l, i) => (world.terminalReward[paths[i].final] === world.maxReward ? Math.exp(l) : 0)));
    expectClose(success, 0.1 ** 3, 1e-13);
    // The most likely completion is decoy at every step: 0.6³.
    expectClose(Math.max(...lp.map(Math.exp)), 0.6 ** 3, 1e-13);
    expect(new Set(lp.map((l) => Math.exp(l).toPrecision(12)))).toContain((0.1 * 0.6 * 0.1).toPrecision(12));
  });

  it('without a decoy the world is the plain chain (existing files keep their meaning)', () => {
    const plain = chainWorld(taskSchema.parse({ kind: 'chain', K: 3, q: 0.1, vocab: 5 }) as ChainTask);
    expect(plain.arcNext.length).toBe(4);
    expect(chainWorld({ ...task, decoy: 0 })).toEqual(plain);
  });

  it('invalid decoys are rejected at the field', () => {
    for (const bad of [
      { kind: 'chain', K: 2, q: 0.5, vocab: 2, decoy: 0.3 },
      { kind: 'chain', K: 2, q: 0.5, vocab: 4, decoy: 0.5 },
      { kind: 'chain', K: 2, q: 0.5, vocab: 4, decoy: 1 },
    ]) {
      const r = taskSchema.safeParse(bad);
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues.some((i) => i.path.join('.') === 'decoy')).toBe(true);
    }
  });
});

describe('contextual with a decoy', () => {
  it('raises the logit of each prompt’s first wrong completion by the decoy and changes nothing else', () => {
    const base = taskSchema.parse({ kind: 'contextual', prompts: 5, vocab: 8, correctFraction: 0.2, seed: 3 }) as ContextualTask;
    const a = compileTask(base) as BanditWorld;
    const b = compileTask({ ...base, decoy: 2 }) as BanditWorld;
    expect(Array.from(b.reward)).toEqual(Array.from(a.reward));
    for (let x = 0; x < 5; x++) {
      const wrong = Array.from(a.reward.subarray(x * 8, x * 8 + 8)).indexOf(0);
      const d = Array.from({ length: 8 }, (_, y) => b.logRef[x * 8 + y] - a.logRef[x * 8 + y]);
      for (let y = 0; y < 8; y++) expectClose(d[y] - d[(wrong + 1) % 8], y === wrong ? 2 : 0, 0, 1e-13, `prompt ${x} y ${y}`);
    }
    expect(taskSchema.safeParse({ kind: 'contextual', prompts: [{ ref: [0.5, 0.5], reward: [1, 0] }], decoy: 1 }).success).toBe(false);
  });
});
