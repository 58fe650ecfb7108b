import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../support/cli.js';

/** Exit 2, one line on stderr naming the flag, nothing on stdout. */
function expectUsageError(args: string[], mentions: RegExp): void {
  const r = cli(['optimize', 'examples/chain.yaml', '--steps', '2', ...args]);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(mentions);
  expect(r.stdout).toBe('');
}

describe('optimize: entropy-control flags', () => {
  it('invalid values get exit 2 and one line', () => {
    expectUsageError(['--optimizer', 'grpo', '--entropy-coef=-0.1'], /--entropy-coef = "-0\.1".*≥ 0/);
    expectUsageError(['--optimizer', 'grpo', '--clip-cov', '1.5'], /--clip-cov = "1\.5"/);
    expectUsageError(['--optimizer', 'grpo', '--kl-cov', '0'], /--kl-cov = "0"/);
    expectUsageError(['--optimizer', 'grpo', '--clip-cov', '--clip-cov-lb', '5', '--clip-cov-ub', '5'], /--clip-cov-ub = 5: must be > clip_cov_lb/);
    expectUsageError(['--optimizer', 'grpo', '--entropy-schedule', 'step'], /--entropy-schedule = "step".*constant, linear, cosine, inverse/);
    expectUsageError(['--optimizer', 'dapo', '--cov-scope', 'gpu'], /--cov-scope = "gpu"/);
    expectUsageError(['--optimizer', 'npg', '--exact', '--kl-cov'], /--kl-cov.*npg --exact/);
  });

  it('--json carries the entropy identity (F28–F30) and the controls; a bare --clip-cov is verl’s 2e-4', () => {
    const r = cliJson<Record<string, unknown[]> & { settings: Record<string, unknown> }>([
      'optimize', 'examples/chain.yaml', '--optimizer', 'grpo', '--steps', '3', '--clip-cov', '--entropy-coef', '0.01', '--entropy-schedule', 'cosine', '--micro-batches', '2',
    ]);
    for (const f of ['entropyChange', 'entropyChangePredicted', 'entropyChangePredictedPg', 'entropyChangePredictedNpg', 'entropyCoef', 'covSelected']) {
      expect(r[f], f).toHaveLength(4);
      expect(r[f][0], f).toBeNull();
      expect(typeof r[f][1], f).toBe('number');
    }
    expect(r.settings.clipCov).toBe(2e-4);
    expect(r.settings.annealSteps).toBe(3);
    expect(r.entropyCoef[1]).toBe(0.01);
  });
});
