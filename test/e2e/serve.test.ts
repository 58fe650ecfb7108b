import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';
import { serve, type Served } from './support.js';

/** A raw request: the path goes out exactly as written (fetch would normalize `..` away). */
function get(base: string, path: string, opts: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method: opts.method ?? 'GET', headers: opts.host ? { host: opts.host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const work = mkdtempSync(join(tmpdir(), 'gibbslab-serve-'));
const runs = join(work, 'runs');
/** A secret outside the runs folder that no request may read. */
const SECRET = 'outside-the-runs-folder';
let server: Served;

beforeAll(async () => {
  const r = cli(['run', 'crossing', '--quick', '--out', join(runs, 'r1'), '--json']);
  expect(r.code, r.stderr).toBe(0);
  symlinkSync('r1', join(runs, 'latest'));
  writeFileSync(join(work, 'secret.txt'), SECRET);
  mkdirSync(join(work, 'elsewhere'));
  writeFileSync(join(work, 'elsewhere', 'results.json'), JSON.stringify({ secret: SECRET }));
  // Links inside the runs folder that point outside it: a run folder and a single file.
  symlinkSync(join(work, 'elsewhere'), join(runs, 'linked-out'));
  mkdirSync(join(runs, 'r2'));
  symlinkSync(join(work, 'secret.txt'), join(runs, 'r2', 'results.json'));
  writeFileSync(join(runs, '.hidden'), SECRET);
  server = await serve(runs);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('gibbslab serve', () => {
  it('listens on 127.0.0.1 and serves the built page', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('<script type="module"');
  });

  it('lists runs and serves their results and report read-only', async () => {
    const list = JSON.parse((await get(server.url, '/api/runs')).body) as { runs: { id: string; verdicts: number; held: number; report: boolean }[]; latest: string | null };
    // Only r1: the link pointing outside and the run whose results.json points outside are left out.
    expect(list.runs.map((r) => r.id)).toEqual(['r1']);
    expect(list.latest).toBe('r1');
    expect(list.runs[0].report).toBe(true);
    expect(list.runs[0].verdicts).toBeGreaterThan(0);
    const results = await get(server.url, '/runs/r1/results.json');
    expect(results.status).toBe(200);
    expect(JSON.parse(results.body).experiments[0].id).toBe('crossing');
    const report = await get(server.url, '/runs/r1/report.html');
    expect(report.status).toBe(200);
    expect(report.headers['content-security-policy']).toMatch(/^sandbox/);
    expect((await get(server.url, '/runs/latest/results.json')).status).toBe(200);
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await get(server.url, '/runs/r1/results.json', { method })).status).toBe(405);
  });

  it('never serves a file outside the runs folder or the page', async () => {
    const attempts = [
      '/runs/../secret.txt',
      '/runs/../../package.json',
      '/runs/%2e%2e/secret.txt',
      '/runs/%2E%2E/%2E%2E/package.json',
      '/runs/..%2fsecret.txt',
      '/runs/%2e%2e%2fsecret.txt',
      '/runs/r1/..%2f..%2fsecret.txt',
      '/runs/..%5csecret.txt',
      `/runs/${encodeURIComponent(join(work, 'secret.txt'))}`,
      `/runs/${join(work, 'secret.txt')}`,
      `/runs//${join(work, 'secret.txt').slice(1)}`,
      '//etc/passwd',
      '/%2fetc%2fpasswd',
      '/../../../../etc/passwd',
      '/runs/linked-out/results.json',
      '/runs/r2/results.json',
      '/runs/.hidden',
      '/runs/r1/%00results.json',
      '/runs/%E0%A4%A',
    ];
    for (const path of attempts) {
      const r = await get(server.url, path);
      expect([400, 403, 404], path).toContain(r.status);
      expect(r.body, path).not.toContain(SECRET);
      expect(r.body, path).not.toContain('root:');
    }
  });

  it('answers only requests addressed to this machine (no DNS rebinding)', async () => {
    expect((await get(server.url, '/api/runs', { host: 'attacker.example:80' })).status).toBe(403);
    expect((await get(server.url, '/api/runs', { host: `localhost:${new URL(server.url).port}` })).status).toBe(200);
  });

  it('refuses a bad port and a port in use with one line and exit 2', () => {
    const bad = cli(['serve', '--port', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('gibbslab: --port = "70000": must be an integer ≥ 0 ≤ 65535');
    const busy = cli(['serve', '--port', new URL(server.url).port]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/already in use/);
  });
});
