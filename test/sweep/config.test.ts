import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/io/errors.js';
import { planSweep } from '../../src/sweep/plan.js';
import { normalizeSweep } from '../../src/sweep/spec.js';

/** Plans a sweep file and returns the one-line UsageError it raises. */
function usageError(raw: unknown): string {
  try {
    planSweep(normalizeSweep(raw));
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a UsageError');
}

describe('sweep files are validated against the target’s config schema, errors name the field path', () => {
  it('unknown axis, top level and nested, lists the fields there are', () => {
    expect(usageError({ experiment: 'crossing', grid: { foo: [1] } })).toMatch(/^grid\.foo: unknown field of the crossing config \(fields: p, delta, tauPoints, tauRange, chain\.q/);
    expect(usageError({ experiment: 'crossing', grid: { 'chain.foo': [1] } })).toMatch(/^grid\.chain\.foo: unknown field/);
    expect(usageError({ experiment: 'crossing', grid: { 'p.x': [1] } })).toMatch(/^grid\.p\.x: unknown field/);
    expect(usageError({ experiment: 'crossing', grid: { 'tauRange.2': [1] } })).toMatch(/^grid\.tauRange\.2: unknown field/);
    expect(usageError({ measure: 'equilibrium', task: { kind: 'binary', p: 0.1 }, grid: { 'task.K': [4] } })).toMatch(/^grid\.task\.K: unknown field/);
  });

  it('wrong types and values name the axis (grid or zip) and the bad value', () => {
    expect(usageError({ experiment: 'crossing', grid: { tauPoints: [11, 2.5] } })).toMatch(/^grid\.tauPoints = 2\.5: .*int/);
    expect(usageError({ experiment: 'crossing', grid: { p: ['a'] } })).toMatch(/^grid\.p = "a": .*number/);
    expect(usageError({ experiment: 'crossing', grid: { 'chain.Ks': [[4, 8], [1]] } })).toMatch(/^grid\.chain\.Ks = \[1\]: .*>=2/);
    expect(usageError({ measure: 'equilibrium', task: { kind: 'binary', p: 0.1 }, grid: { 'task.p': [0.2, 1.5] } })).toMatch(/^grid\.task\.p = 1\.5: must be in \(0, 1\)/);
    expect(usageError({ measure: 'flow', task: { kind: 'binary', p: 0.1 }, base: { eta: 1 }, zip: [{ tau: [1, 2], steps: [3, -1] }] })).toMatch(/^zip\[0\]\.steps = -1: /);
  });

  it('bad fields outside the grid are named where the file sets them', () => {
    expect(usageError({ experiment: 'crossing', base: { delta: -1 }, grid: { p: [0.1] } })).toMatch(/^base\.delta = -1: /);
    expect(usageError({ measure: 'equilibrium', task: { kind: 'binary', p: 2 }, grid: { tau: [1] } })).toMatch(/^task\.p = 2: must be in \(0, 1\)/);
    expect(usageError({ measure: 'equilibrium', grid: { tau: [1] } })).toMatch(/^task = missing: a measurement needs a task/);
    expect(usageError({ experiment: 'crossing', grid: { p: [0.1] }, bogus: 1 })).toMatch(/^bogus: unknown field/);
    expect(usageError({ experiment: 'nope', grid: { p: [0.1] } })).toMatch(/^experiment = "nope": unknown; one of crossing/);
    expect(usageError({ measure: 'equilibrium', experiment: 'crossing', grid: { p: [0.1] } })).toMatch(/^experiment = "crossing": give exactly one of experiment/);
  });

  it('optimizer settings are checked as `gibbslab optimize` checks its flags', () => {
    const optimize = { measure: 'optimize', task: { kind: 'binary', p: 0.1 }, grid: { tau: [0.5] } };
    expect(usageError({ ...optimize, base: { settings: { beta: 1 } } })).toMatch(/^base\.settings\.beta = 1: set tau instead/);
    expect(usageError({ ...optimize, base: { optimizer: 'npg', settings: { clipRatioLow: 0.1 } } })).toMatch(/^base\.settings\.clipRatioLow = 0\.1: not a setting of npg/);
    expect(usageError({ ...optimize, grid: { tau: [0.5], 'settings.lr': [0.1, -1] } })).toMatch(/^grid\.settings\.lr = -1: must be > 0/);
    expect(usageError({ ...optimize, grid: { optimizer: ['grpo', 'sgd'] } })).toMatch(/^grid\.optimizer = "sgd": /);
  });

  it('an empty grid, an empty axis, and seeds on a deterministic target are refused', () => {
    expect(usageError({ experiment: 'crossing' })).toMatch(/^grid: empty/);
    expect(usageError({ experiment: 'crossing', grid: {} })).toMatch(/^grid: empty/);
    expect(usageError({ experiment: 'crossing', grid: { p: [] } })).toMatch(/^grid\.p = \[\]: empty axis/);
    expect(usageError({ experiment: 'crossing', grid: { p: [0.1] }, seeds: 2 })).toMatch(/^seeds = 2: the crossing config has no seed field/);
    expect(usageError({ experiment: 'mirror-descent', grid: { seed: [1, 2] }, seeds: 2 })).toMatch(/^seeds: grid\.seed already sets the seed/);
  });

  it('a valid file expands to validated configs with schema defaults filled in', () => {
    const plan = planSweep(normalizeSweep({ measure: 'equilibrium', task: { kind: 'chain', K: 4, q: 0.9 }, grid: { 'task.K': [4, 8], tau: { from: 0.5, to: 1, count: 2 } } }));
    expect(plan.configs).toEqual([
      { task: { kind: 'chain', K: 4, q: 0.9, vocab: 16, delta: 1 }, tau: 0.5 },
      { task: { kind: 'chain', K: 4, q: 0.9, vocab: 16, delta: 1 }, tau: 1 },
      { task: { kind: 'chain', K: 8, q: 0.9, vocab: 16, delta: 1 }, tau: 0.5 },
      { task: { kind: 'chain', K: 8, q: 0.9, vocab: 16, delta: 1 }, tau: 1 },
    ]);
    expect(plan.seeds).toEqual([null, null, null, null]);
  });
});
