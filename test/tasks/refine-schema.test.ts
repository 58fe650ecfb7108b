import { describe, expect, it } from 'vitest';
import { equilibrium } from '../../src/equilibrium/equilibrium.js';
import { parseOrThrow } from '../../src/io/errors.js';
import { taskSchema, type RefineTask } from '../../src/tasks/schema.js';
import { compileTask, refineWorld } from '../../src/tasks/worlds.js';
import { expectClose } from '../support/assert.js';
import { fsum } from '../support/oracle.js';

const parse = (t: object) => parseOrThrow(taskSchema, { kind: 'refine', ...t }, 'task');

describe('refine tasks: validation', () => {
  const ok = [
    [0.5, 0.5],
    [0.25, 0.75],
  ];
  it('accepts an explicit stochastic matrix (to 1e-9) and renormalizes its rows', () => {
    const t = parse({ ref: [[0.5, 0.5 + 5e-10], [0.25, 0.75]], quality: [0, 1] }) as RefineTask;
    const w = refineWorld(t);
    expect(Math.abs(Math.exp(w.logRef[0]) + Math.exp(w.logRef[1]) - 1)).toBeLessThan(1e-15);
    expect(Array.from(w.quality)).toEqual([0, 1]);
  });

  it('rejects bad input with one message naming the field', () => {
    const bad: [object, RegExp][] = [
      [{ ref: [[0.5, 0.5], [0.25, 0.75 + 2e-9]], quality: [0, 1] }, /task\.ref\[1\] = .*sums to 1\.000000002.*must sum to 1 \(±1e-9\)/],
      [{ ref: [[1.5, -0.5], [0.25, 0.75]], quality: [0, 1] }, /task\.ref\[0\]\[1\] = -0\.5: must be a probability ≥ 0/],
      [{ ref: [[0.5, 0.5, 0], [0.25, 0.75]], quality: [0, 1] }, /task\.ref\[0\] = .*has 3 entries; ref must be square \(2×2\)/],
      [{ ref: ok, quality: [0, 1, 2] }, /task\.quality = \[0,1,2\]: has 3 entries but there are 2 responses/],
      [{ ref: ok }, /task\.quality = missing: an explicit ref needs quality/],
      [{ ref: [[1, 0], [0.5, 0.5]], quality: [0, 1] }, /task\.ref = .*not irreducible: response 1 cannot be reached from response 0/],
      [{ ref: [[0.5, 0.5], [0, 1]], quality: [0, 1] }, /task\.ref = .*not irreducible: response 0 cannot be reached from response 1/],
      [{ ref: [[NaN, 1], [0.5, 0.5]], quality: [0, 1] }, /task\.ref\[0\]\[0\]/],
      [{}, /task\.ref = missing: give exactly one of ref .* or generate/],
      [{ ref: ok, quality: [0, 1], generate: { states: 2 } }, /task\.ref = .*exactly one of ref/],
      [{ generate: { states: 10, asymmetry: 0.5 } }, /task\.generate\.asymmetry = 0\.5: must be 0 when reversible is true/],
      [{ generate: { states: 10, reversible: false, asymmetry: 0 } }, /task\.generate\.asymmetry = 0: must be > 0/],
      [{ generate: { states: 10 }, quality: [1, 2] }, /task\.quality = \[1,2\]: has 2 entries but there are 10 responses \(generate\.states\)/],
      [{ generate: { states: 1 } }, /task\.generate\.states = 1/],
      [{ generate: { states: 5000 } }, /task\.generate\.states = 5000/],
      [{ generate: { states: 10, bogus: 1 } }, /task\.generate\.bogus: unknown field/],
    ];
    for (const [t, msg] of bad) expect(() => parse(t)).toThrow(msg);
  });

  it('generate: quality given explicitly overrides the generated one; reversible: false defaults to asymmetry 1', () => {
    const a = refineWorld(parse({ generate: { states: 6, seed: 2 }, quality: [1, 2, 3, 4, 5, 6] }) as RefineTask);
    expect(Array.from(a.quality)).toEqual([1, 2, 3, 4, 5, 6]);
    const b = refineWorld(parse({ generate: { states: 6, seed: 2, reversible: false } }) as RefineTask);
    const c = refineWorld(parse({ generate: { states: 6, seed: 2, reversible: false, asymmetry: 1 } }) as RefineTask);
    expect(Array.from(b.logRef)).toEqual(Array.from(c.logRef));
  });
});

describe('a refine task as a World: its Gibbs equilibrium at τ = β is the tuned kernel (F15–F16), averaged over responses', () => {
  it('equilibrium refKl, entropy and expected reward are the means over f of those of T(·|f)', () => {
    const ref = [
      [0.4, 0.3, 0.2, 0.1],
      [0.3, 0.3, 0.2, 0.2],
      [0.2, 0.2, 0.3, 0.3],
      [0.1, 0.2, 0.3, 0.4],
    ];
    const quality = [0, 0.5, -1, 2];
    const world = compileTask(parse({ ref, quality }));
    for (const beta of [0.3, 1, 4]) {
      const rows = ref.map((row) => {
        const w = row.map((r, g) => r * Math.exp(quality[g] / beta));
        const z = fsum(w);
        const T = w.map((x) => x / z);
        return {
          kl: fsum(T.map((t, g) => t * Math.log(t / row[g]))),
          h: fsum(T.map((t) => -t * Math.log(t))),
          r: fsum(T.map((t, g) => t * quality[g])),
          success: T[3],
        };
      });
      const eq = equilibrium(world, beta);
      expectClose(eq.refKl, fsum(rows.map((r) => r.kl)) / 4, 1e-12, 0, `refKl β=${beta}`);
      expectClose(eq.entropy, fsum(rows.map((r) => r.h)) / 4, 1e-12, 0, `entropy β=${beta}`);
      expectClose(eq.expectedReward, fsum(rows.map((r) => r.r)) / 4, 1e-12, 0, `E[u] β=${beta}`);
      expectClose(eq.success, fsum(rows.map((r) => r.success)) / 4, 1e-12, 0, `success β=${beta}`);
    }
  });
});
