import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

/** The built command as a user runs it (`npm test` builds first): a few spawns, the rest is tested on the functions. */
describe('gibbslab analyze (CLI)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'gibbslab-analyze-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const fixtures = 'test/fixtures/real-logs';

  it('--json on two real logs: INTERFACE.md fields, null for what a log lacks', () => {
    const r = cli([
      'analyze',
      `${fixtures}/trl-qwen3.5-9b-gsm8k.step_logs.json`,
      `${fixtures}/verl-ppo-qwen2.5-7b-gsm8k.console.log`,
      '--accuracy',
      'reward',
      '--beta',
      '0.05',
      '--no-report',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { runs: Record<string, unknown>[]; out: string | null };
    expect(j.out).toBeNull();
    expect(j.runs.map((x) => [x.format, x.rows, x.skipped])).toEqual([
      ['trl-log-history', 40, 1],
      ['verl-console', 335, 139],
    ]);
    for (const run of j.runs) {
      for (const k of ['file', 'format', 'rows', 'skipped', 'steps', 'metrics', 'entropyAccuracyFit', 'allTieFraction', 'bernoulliGap']) expect(run).toHaveProperty(k);
      const fit = run.entropyAccuracyFit as Record<string, number>;
      for (const k of ['a', 'b', 'r2', 'ceiling']) expect(typeof fit[k]).toBe('number');
      const steps = run.steps as number[];
      for (const series of Object.values(run.metrics as Record<string, (number | null)[]>)) expect(series).toHaveLength(steps.length);
    }
    // verl's accuracy is a validation metric every 10 steps: the other steps are null, not NaN strings.
    expect((j.runs[1].metrics as Record<string, unknown[]>).accuracy.filter((v) => v === null)).toHaveLength(335 - 34);
    // verl logs no all-tie fraction and no group size was given.
    expect(j.runs[1].allTieFraction).toBeNull();
  });

  it('--out writes report.html and results.json with the report sections', () => {
    const out = join(tmp, 'out');
    const r = cli(['analyze', `${fixtures}/trl-qwen3.5-9b-gsm8k.step_logs.json`, '--accuracy', 'reward', '--beta', '0', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`report: ${join(out, 'report.html')}`);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('Real run: trl-qwen3.5-9b-gsm8k.step_logs.json');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { sections: { id: string }[]; analyze: { runs: unknown[] } };
    expect(results.sections.map((s) => s.id)).toEqual(['analyze-1-trl-qwen3-5-9b-gsm8k-step-logs-json']);
    expect(results.analyze.runs).toHaveLength(1);
  });

  it('--show-skipped lists each skipped line with its reason', () => {
    const r = cli(['analyze', `${fixtures}/trl-qwen2.5-3b-hotpotqa.console.log`, '--show-skipped', '--no-report']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/93 rows, steps 1–93, 1 skipped/);
    expect(r.stdout).toMatch(/skipped line \d+: summary row \(train_runtime\): \{'train_runtime'/);
  });

  it('a truncated log exits 2 with one line saying what was expected', () => {
    const cut = join(tmp, 'cut.json');
    writeFileSync(cut, readFileSync(join(fixtures, 'trl-qwen3.5-9b-gsm8k.step_logs.json'), 'utf8').slice(0, 2000));
    const r = cli(['analyze', cut]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not valid JSON .*expected a TRL trainer_state\.json/);
  });
});
