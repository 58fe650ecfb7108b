import { describe, expect, it } from 'vitest';
import { findExperiment, runExperiment } from '../../src/experiments/registry.js';

const IDS = ['entropy-identity', 'entropy-bonus-bias', 'covariance-control', 'entropy-accuracy', 'selection-cost'];

describe('the entropy experiments at quick size', () => {
  for (const id of IDS) {
    it(`${id}: every verdict holds; plots have data; the full size validates`, async () => {
      const exp = findExperiment(id)!;
      expect(exp, id).toBeDefined();
      exp.configSchema.parse(exp.sizes.full);
      const res = await runExperiment(exp, exp.configSchema.parse(exp.sizes.quick));
      expect(res.verdicts.length).toBeGreaterThan(2);
      for (const v of res.verdicts) expect(v.holds, `${v.claim}: predicted ${v.predicted}, measured ${v.measured}`).toBe(true);
      for (const p of res.plots) {
        const layer = (p.spec.layer as { data: { values: unknown[] } }[])[0];
        expect(layer.data.values.length, p.id).toBeGreaterThan(1);
      }
    });
  }

  it('config errors name the field (a control ratio outside (0, 1], lb ≥ ub)', () => {
    const exp = findExperiment('covariance-control')!;
    const quick = exp.sizes.quick as { controls: Record<string, unknown> };
    for (const [field, value] of [
      ['klCov', 0],
      ['clipCov', 2],
      ['clipCovUb', 1],
    ] as const) {
      const r = exp.configSchema.safeParse({ ...quick, controls: { ...quick.controls, [field]: value } });
      expect(r.success, field).toBe(false);
      if (!r.success) expect(r.error.issues.map((i) => i.path.join('.'))).toContain(`controls.${field}`);
    }
  });
});
