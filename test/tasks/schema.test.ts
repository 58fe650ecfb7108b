import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { taskSchema } from '../../src/tasks/index.js';

/** The issues of a failed parse (the test fails if the parse succeeds). */
function issues(input: unknown) {
  const r = taskSchema.safeParse(input);
  expect(r.success, `should be rejected: ${JSON.stringify(input)}`).toBe(false);
  return r.success ? [] : r.error.issues;
}

/** Some issue's path equals `path` exactly. */
function expectIssueAt(input: unknown, path: (string | number)[]): void {
  const is = issues(input);
  expect(
    is.some((i) => JSON.stringify(i.path) === JSON.stringify(path)),
    `no issue at ${JSON.stringify(path)}; got ${JSON.stringify(is.map((i) => i.path))}`,
  ).toBe(true);
}

describe('task schema: valid input parses, with defaults filled in', () => {
  it('each kind, minimal form', () => {
    expect(taskSchema.parse({ kind: 'binary', p: 0.1 })).toEqual({ kind: 'binary', p: 0.1, delta: 1 });
    expect(taskSchema.parse({ kind: 'chain', K: 8, q: 0.9 })).toEqual({ kind: 'chain', K: 8, q: 0.9, vocab: 16, delta: 1 });
    expect(taskSchema.parse({ kind: 'contextual', prompts: 3 })).toEqual({
      kind: 'contextual',
      prompts: 3,
      vocab: 1024,
      correctFraction: 0.02,
      refScale: 1,
      seed: 0,
    });
    expect(taskSchema.parse({ kind: 'bandit', ref: [1, 0, 3], reward: [0, 1, 2] })).toEqual({ kind: 'bandit', ref: [1, 0, 3], reward: [0, 1, 2] });
    expect(taskSchema.parse({ kind: 'bandit', refLogits: [0, -1e6, 3], reward: [0, 1, 2] }).kind).toBe('bandit');
    const ctx = taskSchema.parse({ kind: 'contextual', prompts: [{ ref: [1, 1], reward: [0, 1] }, { refLogits: [0, 2], reward: [1, 0] }] });
    expect(ctx.kind === 'contextual' && Array.isArray(ctx.prompts) && ctx.prompts.length).toBe(2);
  });

  it('extreme but valid values: p = 1e-12 and 1 − 1e-9, rewards of 1e6, vocab 1e9', () => {
    for (const p of [1e-12, 0.5, 1 - 1e-9]) expect(taskSchema.safeParse({ kind: 'binary', p, delta: 1e6 }).success).toBe(true);
    expect(taskSchema.safeParse({ kind: 'chain', K: 100_000, q: 1e-12, vocab: 1e9, delta: 1e6 }).success).toBe(true);
    expect(taskSchema.safeParse({ kind: 'bandit', ref: [0, 1e-300, 1], reward: [1e6, -1e6, 0] }).success).toBe(true);
  });

  it('the task files in examples/ parse (YAML)', () => {
    const dir = join(__dirname, '../../examples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = taskSchema.safeParse(parseYaml(readFileSync(join(dir, f), 'utf8')));
      expect(r.success, `${f}: ${r.success ? '' : JSON.stringify(r.error.issues)}`).toBe(true);
    }
  });
});

describe('task schema: invalid input fails with an issue naming the field', () => {
  it('p and q outside (0, 1)', () => {
    for (const p of [0, 1, -0.1, 1.5, Number.NaN]) expectIssueAt({ kind: 'binary', p }, ['p']);
    for (const q of [0, 1, 2]) expectIssueAt({ kind: 'chain', K: 3, q }, ['q']);
  });

  it('negative or non-finite reference entries, non-finite rewards', () => {
    expectIssueAt({ kind: 'bandit', ref: [0.5, -0.1, 0.6], reward: [0, 1, 2] }, ['ref', 1]);
    expectIssueAt({ kind: 'bandit', ref: [0.5, Infinity], reward: [0, 1] }, ['ref', 1]);
    expectIssueAt({ kind: 'bandit', refLogits: [0, Number.NaN], reward: [0, 1] }, ['refLogits', 1]);
    expectIssueAt({ kind: 'bandit', ref: [0.5, 0.5], reward: [0, Infinity] }, ['reward', 1]);
    expectIssueAt({ kind: 'bandit', ref: [0, 0], reward: [0, 1] }, ['ref']);
  });

  it('length mismatch, both or neither of ref/refLogits', () => {
    expectIssueAt({ kind: 'bandit', ref: [0.5, 0.5], reward: [0, 1, 2] }, ['reward']);
    expectIssueAt({ kind: 'bandit', ref: [1], refLogits: [0], reward: [1] }, ['ref']);
    expectIssueAt({ kind: 'bandit', reward: [1] }, ['ref']);
    expectIssueAt({ kind: 'contextual', prompts: [{ ref: [1, 1], reward: [0, 1] }, { ref: [1, 1, 1], reward: [0, 1, 0] }] }, ['prompts', 1, 'reward']);
    expectIssueAt({ kind: 'contextual', prompts: [{ ref: [1, 1], reward: [0, 1, 1] }] }, ['prompts', 0, 'reward']);
  });

  it('unknown keys are rejected and named (top level and inside prompts)', () => {
    const is = issues({ kind: 'binary', p: 0.1, temperature: 2 });
    expect(is.some((i) => i.code === 'unrecognized_keys' && 'keys' in i && (i.keys as string[]).includes('temperature'))).toBe(true);
    const nested = issues({ kind: 'contextual', prompts: [{ ref: [1], reward: [1], extra: 0 }] });
    expect(nested.some((i) => i.code === 'unrecognized_keys' && JSON.stringify(i.path) === '["prompts",0]')).toBe(true);
  });

  it('wrong or missing kind, wrong types, out-of-range integers', () => {
    expectIssueAt({ kind: 'banana', p: 0.1 }, ['kind']);
    expectIssueAt({ p: 0.1 }, ['kind']);
    expectIssueAt({ kind: 'binary', p: '0.1' }, ['p']);
    expectIssueAt({ kind: 'binary', p: 0.1, delta: 0 }, ['delta']);
    expectIssueAt({ kind: 'chain', K: 0, q: 0.5 }, ['K']);
    expectIssueAt({ kind: 'chain', K: 2.5, q: 0.5 }, ['K']);
    expectIssueAt({ kind: 'chain', K: 3, q: 0.5, vocab: 1 }, ['vocab']);
    expectIssueAt({ kind: 'contextual', prompts: 0 }, ['prompts']);
    expectIssueAt({ kind: 'contextual', prompts: 4, correctFraction: 1.5 }, ['correctFraction']);
    expect(taskSchema.safeParse(null).success).toBe(false);
    expect(taskSchema.safeParse([1, 2]).success).toBe(false);
  });
});
