import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

const work = mkdtempSync(join(tmpdir(), 'gibbslab-run-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('run', () => {
  it('writes results.json and report.html and returns every verdict field', () => {
    const out = join(work, 'out');
    const r = cli(['run', 'crossing', 'mirror-descent', 'replicator', '--quick', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { out: string; experiments: { id: string; title: string; verdicts: Record<string, unknown>[] }[] };
    expect(j.out).toBe(out);
    expect(j.experiments.map((e) => e.id)).toEqual(['crossing', 'mirror-descent', 'replicator']);
    for (const e of j.experiments) {
      expect(e.verdicts.length).toBeGreaterThan(0);
      for (const v of e.verdicts) {
        expect(Object.keys(v).sort()).toEqual(['claim', 'holds', 'measured', 'predicted', 'source', 'tolerance']);
        expect(typeof v.holds).toBe('boolean');
      }
    }
    const stored = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(stored.experiments).toHaveLength(3);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('defaults to runs/<timestamp> with runs/latest pointing at it', () => {
    const r = cli(['run', 'crossing', '--quick', '--json'], { cwd: work });
    expect(r.code, r.stderr).toBe(0);
    const { out } = JSON.parse(r.stdout) as { out: string };
    expect(out).toMatch(/^runs\/\d{8}-\d{6}Z/);
    expect(existsSync(join(work, out, 'report.html'))).toBe(true);
    expect(readlinkSync(join(work, 'runs', 'latest'))).toBe(out.slice('runs/'.length));
  });

  it('prints the verdict table and the report path without --json', () => {
    const out = join(work, 'table');
    const r = cli(['run', 'mirror-descent', '--quick', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('✓');
    expect(r.stdout).toContain(join(out, 'report.html'));
  });
});
