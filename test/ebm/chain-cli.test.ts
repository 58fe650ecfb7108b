import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../support/cli.js';

const FIELDS = ['stationary', 'potential', 'detailedBalanceResidual', 'lambda2', 'spectralGap', 'gapLowerBound', 'hittingTimes', 'klToStationary'];

function expectUsageError(args: string[], mentions: RegExp): void {
  const r = cli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(r.stdout).toBe('');
}

describe('gibbslab chain', () => {
  it('--json has the INTERFACE.md fields, consistent with each other', () => {
    const out = cliJson<Record<string, unknown>>(['chain', 'examples/refine.yaml', '--beta', '0.5', '--steps', '15']);
    for (const f of FIELDS) expect(out, f).toHaveProperty(f);
    const nu = out.stationary as number[];
    const V = out.potential as number[];
    expect(nu).toHaveLength(5);
    expect(Math.abs(nu.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
    V.forEach((v, f) => expect(Math.abs(Math.exp(v) - nu[f])).toBeLessThan(1e-14));
    expect(out.detailedBalanceResidual as number).toBeLessThan(1e-15);
    expect(out.spectralGap as number).toBeCloseTo(1 - (out.lambda2 as number), 15);
    expect(out.spectralGap as number).toBeGreaterThanOrEqual(out.gapLowerBound as number);
    const kl = out.klToStationary as number[];
    expect(kl).toHaveLength(16);
    // From a point mass on the worst response (0 here): KL(δ_0‖ν) = −log ν(0).
    expect(kl[0]).toBeCloseTo(-Math.log(nu[0]), 12);
    expect((out.hittingTimes as number[])[4]).toBe(0); // the best response
  });

  it('a generated non-reversible chain: residual > 0 and no spectrum (null, not NaN)', () => {
    const out = cliJson<Record<string, unknown>>(['chain', '--task', '{"kind":"refine","generate":{"states":30,"reversible":false,"asymmetry":0.5}}', '--beta', '1']);
    expect(out.detailedBalanceResidual as number).toBeGreaterThan(1e-6);
    expect(out.lambda2).toBeNull();
    expect(out.spectralGap).toBeNull();
    expect(out.reversible).toBe(false);
  });

  it('text output names the quantities', () => {
    const r = cli(['chain', 'examples/refine.yaml', '--beta', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/λ₂ = /);
    expect(r.stdout).toMatch(/Kac/);
  });

  // Every schema message is tested in test/tasks/refine-schema.test.ts; here one of them end to end.
  it('bad input: exit 2 and one line naming the field', () => {
    expectUsageError(['chain', '--task', '{"kind":"refine","ref":[[0.5,0.4],[0.5,0.5]],"quality":[0,1]}', '--beta', '1'], /task\.ref\[0\] = .*sums to 0\.9/);
    expectUsageError(['chain', 'examples/binary.yaml', '--beta', '1'], /task\.kind = "binary".*refine/);
    expectUsageError(['chain', 'examples/refine.yaml', '--beta', '0'], /--beta = "0"/);
    expectUsageError(['chain', '--task', '{"kind":"refine","generate":{"states":40,"neighbors":1,"qualityScale":5}}', '--beta', '0.005'], /--beta.*too small/);
  });
});
