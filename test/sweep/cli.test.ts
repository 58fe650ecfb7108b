import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT } from '../support/cli.js';

/** The built CLI, run as `npm test` does after building. */
const BIN = join(ROOT, 'dist', 'cli', 'main.js');
const work = mkdtempSync(join(tmpdir(), 'gibbslab-sweep-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sweepFile(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

/** Complete lines of a results.jsonl (a partial last line is not one). */
function lines(dir: string): string[] {
  const text = readFileSync(join(dir, 'results.jsonl'), 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter(Boolean);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a sweep and stops it with `signal` once `atLeast` configs are in results.jsonl; resolves with the exit code (null when killed). */
async function interrupt(file: string, out: string, signal: NodeJS.Signals, atLeast: number): Promise<{ code: number | null; stderr: string; linesAtStop: number }> {
  const child = spawn(process.execPath, [BIN, 'sweep', file, '--out', out, '--workers', '1'], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let n = 0;
  for (let t = 0; t < 60_000 && child.exitCode === null; t += 5) {
    n = existsSync(join(out, 'results.jsonl')) ? lines(out).length : 0;
    if (n >= atLeast) break;
    await sleep(5);
  }
  child.kill(signal);
  return { code: await exited, stderr, linesAtStop: n };
}

// 24 configs of a small finite-size experiment: some 30 ms each, long enough to stop midway.
const SLOW = sweepFile(
  'slow.yaml',
  'experiment: finite-size\nbase: {Ks: [8, 16, 32, 64], tauPoints: 31, flow: {etaTau: 0.1, steps: 5}}\ngrid:\n  q: {from: 0.8, to: 0.95, count: 24}\n',
);
// A sampled optimizer with replicate seeds: the case where execution order could leak into the numbers.
const FAST = sweepFile(
  'fast.yaml',
  'measure: optimize\ntask: {kind: binary, p: 0.1}\nbase: {optimizer: grpo, steps: 40}\ngrid:\n  task.delta: [1, 2]\n  tau: {from: 0.2, to: 2, count: 5, log: true}\nseeds: 3\n',
);

describe('sweep', () => {
  it('gives byte-identical merged results on 1 and 2 workers; every line holds index, config, seed and result', () => {
    const a = join(work, 'w1');
    const b = join(work, 'w2');
    expect(cli(['sweep', FAST, '--out', a, '--workers', '1', '--json']).code).toBe(0);
    const r = cli(['sweep', FAST, '--out', b, '--workers', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { configs: number; computed: number; resumed: number; workers: number; analysis: { crossings: unknown[] } };
    expect(j).toMatchObject({ configs: 30, computed: 30, resumed: 0, workers: 2 });
    expect(new Set(lines(b).map((l) => (JSON.parse(l) as { seed: number }).seed)).size).toBe(30);
    expect(j.analysis.crossings).toHaveLength(2);
    expect(readFileSync(join(b, 'summary.json'), 'utf8')).toBe(readFileSync(join(a, 'summary.json'), 'utf8'));
    const parsed = lines(b).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const row of parsed) expect(Object.keys(row).sort()).toEqual(['config', 'index', 'result', 'seed']);
    expect(parsed.map((row) => row.index).sort((x, y) => (x as number) - (y as number))).toEqual([...Array(30).keys()]);
    const summary = JSON.parse(readFileSync(join(b, 'summary.json'), 'utf8')) as { results: { index: number }[] };
    expect(summary.results.map((row) => row.index)).toEqual([...Array(30).keys()]);
    expect(readFileSync(join(b, 'report.html'), 'utf8')).toContain('<svg');
  });

  it('resumes after kill -9 midway (and a torn last line): nothing lost, nothing computed twice, the same bytes as an uninterrupted run', async () => {
    const ref = join(work, 'ref');
    expect(cli(['sweep', SLOW, '--out', ref, '--workers', '1']).code).toBe(0);
    const out = join(work, 'killed');
    const stop = await interrupt(SLOW, out, 'SIGKILL', 3);
    expect(stop.code).toBeNull();
    const kept = lines(out);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    expect(kept.length).toBeLessThan(24);
    // What a kill in the middle of a write leaves behind.
    appendFileSync(join(out, 'results.jsonl'), kept[kept.length - 1].slice(0, 40));
    const r = cli(['sweep', SLOW, '--out', out, '--workers', '2', '--resume', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ configs: 24, resumed: kept.length, computed: 24 - kept.length });
    const all = lines(out);
    expect(readFileSync(join(out, 'results.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    expect(all.slice(0, kept.length)).toEqual(kept);
    const indices = all.map((l) => (JSON.parse(l) as { index: number }).index);
    expect(new Set(indices).size).toBe(24);
    expect(indices).toHaveLength(24);
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(readFileSync(join(ref, 'summary.json'), 'utf8'));
    // A finished sweep resumes to itself without computing anything.
    expect(JSON.parse(cli(['sweep', SLOW, '--out', out, '--resume', '--json']).stdout)).toMatchObject({ resumed: 24, computed: 0 });
  });

  it('Ctrl-C stops with exit 130 and says how to resume', async () => {
    const out = join(work, 'sigint');
    const stop = await interrupt(SLOW, out, 'SIGINT', 1);
    expect(stop.code).toBe(130);
    expect(stop.stderr).toContain(`--out ${out} --resume`);
    expect(lines(out).length).toBeGreaterThanOrEqual(1);
  });

  it('refuses to mix sweeps: an existing folder needs --resume, and --resume needs the same sweep file', () => {
    const out = join(work, 'w1');
    const again = cli(['sweep', FAST, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a sweep; pass --resume/);
    const other = sweepFile('other.yaml', readFileSync(FAST, 'utf8').replace('count: 5', 'count: 6'));
    const r = cli(['sweep', other, '--out', out, '--resume']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/different sweep file \(dimensions differs\)/);
  });

  it('invalid sweep files: exit 2, one line naming the field path', () => {
    const bad = sweepFile('bad.yaml', 'experiment: crossing\ngrid:\n  tauPoints: [11, 2.5]\n');
    const r = cli(['sweep', bad, '--out', join(work, 'bad')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('gibbslab: grid.tauPoints = 2.5: Invalid input: expected int, received number\n');
    expect(cli(['sweep', FAST, '--workers', '0']).stderr).toMatch(/--workers = "0": must be an integer ≥ 1/);
  });
});

describe('report', () => {
  it('re-renders report.html from results.json, writes one PNG per plot with --png; a folder without results.json is bad input', () => {
    const dir = join(work, 'w2');
    rmSync(join(dir, 'report.html'));
    const r = cli(['report', dir, '--png', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { report: string; pngs: string[] };
    expect(readFileSync(j.report, 'utf8')).toContain('<svg');
    const plots = (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { sections: { plots: unknown[] }[] }).sections.flatMap((s) => s.plots);
    expect(readdirSync(join(dir, 'png'))).toHaveLength(plots.length);
    for (const file of j.pngs) expect(readFileSync(file).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const missing = cli(['report', join(work, 'nothing-here')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no results\.json/);
  });
});
