import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

describe('the package', () => {
  it('exports the core from its entry point (the built dist/index.js)', async () => {
    const lib = (await import(`${ROOT}/dist/index.js`)) as typeof import('../../src/index.js');
    const world = lib.compileTask({ kind: 'binary', p: 0.1, delta: 1 });
    // P*_τ = σ(logit p + Δ/τ) (F35), at τ = 1.
    expect(lib.equilibrium(world, 1).success).toBeCloseTo(0.1 * Math.E / (0.1 * Math.E + 0.9), 14);
    expect(lib.EXPERIMENTS.length).toBeGreaterThan(3);
  });

  it('is reachable as `npx gibbslab` inside a clone, at the version package.json declares', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };
    const r = spawnSync('npx', ['--no-install', 'gibbslab', '--version'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('exits quietly when its output pipe closes early (| head)', () => {
    const r = spawnSync('bash', ['-c', `node dist/cli/main.js critical examples/chain.yaml --max-k 200000 --json | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/EPIPE|at /);
    expect(r.stdout).toContain('status=0');
  });
});
