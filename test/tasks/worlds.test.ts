import { describe, it, expect } from 'vitest';
import { banditWorld, binaryWorld, chainWorld, compileTask, contextualPromptRange, contextualTaskSchema, contextualWorld, taskSchema } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { fsum } from '../support/oracle.js';
import { mulberry32, randomRewards, randomSimplex } from '../support/random.js';

/** Σ exp over a range, compensated. */
function massOf(logp: ArrayLike<number>, from = 0, to = logp.length): number {
  const xs: number[] = [];
  for (let i = from; i < to; i++) xs.push(Math.exp(logp[i]));
  return fsum(xs);
}

describe('compiled worlds', () => {
  it('bandit: the reference is renormalized (zeros ↦ −∞), logits are softmaxed, maxReward is over the support', () => {
    const u = mulberry32(901);
    for (let t = 0; t < 20; t++) {
      const n = 2 + Math.floor(u() * 30);
      const ref = randomSimplex(u, n, 2, 0.3).map((x) => x * 7.5);
      const reward = randomRewards(u, n, -3, 3);
      const w = banditWorld({ kind: 'bandit', ref, reward });
      const s = fsum(ref);
      for (let i = 0; i < n; i++) {
        if (ref[i] === 0) expect(w.logRef[i]).toBe(-Infinity);
        else expectClose(Math.exp(w.logRef[i]), ref[i] / s, 1e-14);
      }
      expectClose(massOf(w.logRef), 1, 0, 1e-15);
      expect(Array.from(w.reward)).toEqual(reward);
      expect(w.maxReward).toBe(Math.max(...reward.filter((_, i) => ref[i] > 0)));
      expect([w.prompts, w.actions, w.type]).toEqual([1, n, 'bandit']);
    }
    // Logits of 1e6: softmax computed by the test as e^{z − max}/Σ.
    const z = [1e6, 1e6 - 1, -1e6, 1e6 - 0.5];
    const w = banditWorld({ kind: 'bandit', refLogits: z, reward: [0, 1, 2, 3] });
    const e = z.map((x) => Math.exp(x - 1e6));
    z.forEach((_, i) => expectClose(Math.exp(w.logRef[i]), e[i] / fsum(e), 1e-14, 1e-300));
    // A logit of −1e6 is a finite log-probability (−2e6), i.e. still in the support.
    expect(w.logRef[2]).toBeGreaterThan(-Infinity);
    expect(w.maxReward).toBe(3);
  });

  it('binary: log p and log(1 − p) exact at p = 1e-12, 0.5, 1 − 1e-9', () => {
    for (const p of [1e-12, 0.5, 1 - 1e-9]) {
      const w = binaryWorld({ kind: 'binary', p, delta: 1e6 });
      // exp(log x) round-trips to ~1e-16·|log x| relative.
      expectClose(Math.exp(w.logRef[0]), p, 1e-14);
      // 1 − p is exact in float64 for p ≥ 1/2 and correctly rounded for small p.
      expectClose(Math.exp(w.logRef[1]), 1 - p, 1e-14);
      expect(Array.from(w.reward)).toEqual([1e6, 0]);
      expect(w.maxReward).toBe(1e6);
    }
  });

  it('chain: each state’s tokens (with multiplicity) carry mass 1; the correct arc stays in state 0', () => {
    for (const [K, q, V] of [
      [3, 0.9, 16],
      [1, 1e-12, 2],
      [100, 1 - 1e-9, 1e9],
    ] as const) {
      const w = chainWorld({ kind: 'chain', K, q, vocab: V, delta: 0.25 });
      for (let s = 0; s < w.states; s++) {
        const xs: number[] = [];
        for (let a = w.arcOffset[s]; a < w.arcOffset[s + 1]; a++) xs.push(Math.exp(w.arcLogRef[a] + w.arcLogMult[a]));
        expectClose(fsum(xs), 1, 0, 1e-15);
      }
      expectClose(Math.exp(w.arcLogRef[0]), q, 1e-14);
      expect(w.arcNext[0]).toBe(0);
      expectClose(Math.exp(w.arcLogMult[1]), V - 1, 1e-14);
      expect(Array.from(w.terminalReward)).toEqual([K * 0.25, 0]);
      expect([w.horizon, w.start, w.maxReward]).toEqual([K, 0, K * 0.25]);
    }
  });

  it('contextual (generated): deterministic per seed, prompt x independent of the number of prompts, rows normalized', () => {
    const a = contextualWorld(contextualTaskSchema.parse({ kind: 'contextual', prompts: 3, vocab: 500, seed: 4, correctFraction: 0.1 }));
    const b = contextualWorld(contextualTaskSchema.parse({ kind: 'contextual', prompts: 5, vocab: 500, seed: 4, correctFraction: 0.1 }));
    const c = contextualWorld(contextualTaskSchema.parse({ kind: 'contextual', prompts: 3, vocab: 500, seed: 5, correctFraction: 0.1 }));
    expect(Array.from(b.logRef.subarray(0, 1500))).toEqual(Array.from(a.logRef));
    expect(Array.from(b.reward.subarray(0, 1500))).toEqual(Array.from(a.reward));
    expect(Array.from(c.logRef)).not.toEqual(Array.from(a.logRef));
    for (let x = 0; x < 5; x++) expectClose(massOf(b.logRef, x * 500, (x + 1) * 500), 1, 0, 1e-14);
    expect(b.reward.every((r) => r === 0 || r === 1)).toBe(true);
    // 2500 Bernoulli(0.1) draws: mean within 5 sd.
    const mean = fsum(Array.from(b.reward)) / 2500;
    expect(Math.abs(mean - 0.1)).toBeLessThan(5 * Math.sqrt(0.09 / 2500));
    // refScale 0: uniform rows.
    const flat = contextualWorld(contextualTaskSchema.parse({ kind: 'contextual', prompts: 2, vocab: 7, refScale: 0 }));
    flat.logRef.forEach((l) => expectClose(l, -Math.log(7), 0, 1e-15));
  });

  it('contextual (explicit prompts) and compileTask dispatch by kind', () => {
    const w = contextualWorld(
      contextualTaskSchema.parse({
        kind: 'contextual',
        prompts: [
          { ref: [1, 3, 0], reward: [0, 1, 5] },
          { refLogits: [0, Math.log(2), Math.log(7)], reward: [1, 0, 2] },
        ],
      }),
    );
    expect([w.prompts, w.actions]).toEqual([2, 3]);
    expectClose(Math.exp(w.logRef[1]), 0.75, 1e-15);
    expect(w.logRef[2]).toBe(-Infinity);
    expectClose(Math.exp(w.logRef[5]), 0.7, 1e-15);
    expect(w.maxReward).toBe(2); // reward 5 has no reference support
    for (const t of [
      { kind: 'binary', p: 0.2 },
      { kind: 'chain', K: 2, q: 0.5 },
      { kind: 'bandit', ref: [1, 1], reward: [0, 1] },
      { kind: 'contextual', prompts: 2, vocab: 4 },
    ]) {
      const world = compileTask(taskSchema.parse(t));
      expect(world.type).toBe(t.kind === 'chain' ? 'sequence' : 'bandit');
    }
  });
});

describe('generated contextual worlds by prompt range', () => {
  it('prompts [a, b) generated alone are the rows of the whole world, bit for bit (decoy included)', () => {
    const task = { kind: 'contextual' as const, prompts: 9, vocab: 13, correctFraction: 0.2, refScale: 1.5, seed: 4, decoy: 2 };
    const whole = contextualWorld(task);
    for (const [a, b] of [[0, 9], [0, 1], [3, 7], [8, 9]]) {
      const part = contextualPromptRange(task, a, b);
      expect(part.prompts).toBe(b - a);
      expect(Array.from(part.logRef)).toEqual(Array.from(whole.logRef.subarray(a * 13, b * 13)));
      expect(Array.from(part.reward)).toEqual(Array.from(whole.reward.subarray(a * 13, b * 13)));
    }
  });
});

