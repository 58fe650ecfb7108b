import { describe, expect, it } from 'vitest';
import { axisValues, buildDimensions, gridPoint, gridSize } from '../../src/sweep/grid.js';
import { planSweep } from '../../src/sweep/plan.js';
import { deriveSeed } from '../../src/sweep/seeds.js';
import { normalizeSweep } from '../../src/sweep/spec.js';

describe('axis values', () => {
  it('a list is taken as is, values of any type', () => {
    expect(axisValues('grid.x', [3, 'a', [1, 2], { b: 1 }])).toEqual([3, 'a', [1, 2], { b: 1 }]);
  });

  it('a range with a step includes its end despite rounding in (to − from)/step', () => {
    // (0.3 − 0)/0.1 = 2.9999999999999996 in floating point; the oracle is the decimal list.
    expect(axisValues('grid.x', { from: 0, to: 0.3, step: 0.1 })).toEqual([0, 0.1, 0.2, 0.3]);
    expect(axisValues('grid.x', { from: 0.5, to: 2, step: 0.5 })).toEqual([0.5, 1, 1.5, 2]);
    expect(axisValues('grid.x', { from: 1, to: 2.9, step: 1 })).toEqual([1, 2]);
  });

  it('count gives evenly spaced points, ends exact', () => {
    expect(axisValues('grid.x', { from: -1, to: 1, count: 5 })).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(axisValues('grid.x', { from: 2, to: 7, count: 1 })).toEqual([2]);
  });

  it('log: true gives log-spaced points: powers of 2 and of 10 come out exact', () => {
    expect(axisValues('grid.K', { from: 1, to: 1024, count: 11, log: true })).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    expect(axisValues('grid.tau', { from: 1e-3, to: 1e3, count: 7, log: true })).toEqual([1e-3, 1e-2, 1e-1, 1, 10, 100, 1000]);
    const v = axisValues('grid.tau', { from: 0.3, to: 7, count: 9, log: true }) as number[];
    // Constant ratio between neighbours: an independent check of log spacing.
    const ratios = v.slice(1).map((x, i) => x / v[i]);
    for (const r of ratios) expect(Math.abs(r / Math.pow(7 / 0.3, 1 / 8) - 1)).toBeLessThan(1e-11); // values keep 12 significant digits
  });

  it('bad specs name the axis and what is allowed', () => {
    expect(() => axisValues('grid.p', [])).toThrow(/^grid\.p = \[\]: empty axis/);
    expect(() => axisValues('grid.p', 0.3)).toThrow(/^grid\.p = 0\.3: must be a list of values, \{from, to, step\}/);
    expect(() => axisValues('grid.p', { from: 0, to: 1 })).toThrow(/^grid\.p\.step = missing: give exactly one of step/);
    expect(() => axisValues('grid.p', { from: 0, to: 1, count: 3, log: true })).toThrow(/^grid\.p\.from = 0: must be > 0/);
    expect(() => axisValues('grid.p', { from: 2, to: 1, step: 0.5 })).toThrow(/^grid\.p\.to = 1: must be ≥ from/);
    expect(() => axisValues('grid.p', { from: 0, to: 1, count: 2, stride: 3 })).toThrow(/^grid\.p\.stride: unknown field/);
  });
});

describe('dimensions and indexing', () => {
  it('configs are numbered row-major (last axis fastest), replicates innermost — as nested loops would', () => {
    const dims = buildDimensions({ a: [1, 2, 3], b: ['x', 'y'] }, [{ c: [10, 20], d: [true, false] }]);
    const replicates = 2;
    const expected: unknown[] = [];
    for (const a of [1, 2, 3]) for (const b of ['x', 'y']) for (const [c, d] of [[10, true], [20, false]]) for (let r = 0; r < replicates; r++) expected.push({ a, b, c, d, r });
    expect(gridSize(dims, replicates)).toBe(expected.length);
    const got = expected.map((_, i) => {
      const p = gridPoint(dims, replicates, i);
      return { ...Object.fromEntries(p.assignment.map((x) => [x.path, x.value])), r: p.replicate };
    });
    expect(got).toEqual(expected);
  });

  it('zipped axes need equal lengths; an axis may not overlap another', () => {
    expect(() => buildDimensions({}, [{ tau: [1, 2], eta: [1] }])).toThrow(/^zip\[0\]\.eta: 1 values, but zip\[0\]\.tau has 2/);
    expect(() => buildDimensions({ chain: [{}] }, [{ 'chain.q': [0.5] }])).toThrow(/^zip\[0\]\.chain\.q: overlaps grid\.chain/);
    expect(() => buildDimensions({ tau: [1] }, [{ tau: [2] }])).toThrow(/^zip\[0\]\.tau: overlaps grid\.tau/);
    expect(() => buildDimensions({ 'a..b': [1] }, [])).toThrow(/not a field path/);
  });
});

describe('seeds', () => {
  const plan = (grid: Record<string, unknown>) =>
    planSweep(normalizeSweep({ experiment: 'mirror-descent', grid, seeds: 3, seed: 5 }));

  it('replicates of one point get distinct seeds, written into the config', () => {
    const p = plan({ tau: [0.5] });
    expect(new Set(p.seeds).size).toBe(3);
    p.configs.forEach((c, i) => expect((c as { seed: number }).seed).toBe(p.seeds[i]));
  });

  it("a config's seed follows its identity, not its index: growing the grid leaves the common configs' seeds alone", () => {
    const small = plan({ tau: [0.5, 1], actions: [4] });
    const large = plan({ actions: [3, 4], tau: [0.25, 0.5, 1] });
    const key = (c: unknown) => JSON.stringify([(c as { tau: number }).tau, (c as { actions: number }).actions]);
    const seedsOf = (p: ReturnType<typeof plan>) => new Map(p.configs.map((c, i) => [`${key(c)}#${gridPoint(p.spec.dimensions, 3, i).replicate}`, p.seeds[i]]));
    const a = seedsOf(small);
    const b = seedsOf(large);
    for (const [k, s] of a) expect(b.get(k)).toBe(s);
    const first = gridPoint(small.spec.dimensions, 3, 0);
    expect(deriveSeed(5, first)).toBe(small.seeds[0]);
    expect(deriveSeed(6, first)).not.toBe(small.seeds[0]);
  });

  it('without seeds, configs keep their own seed field', () => {
    const p = planSweep(normalizeSweep({ experiment: 'mirror-descent', grid: { tau: [0.5, 1] } }));
    expect(p.seeds).toEqual([1, 1]);
  });
});
