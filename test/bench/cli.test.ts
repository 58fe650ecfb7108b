import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from 'vitest';
import { cli, cliJson } from '../support/cli.js';

interface BenchJson {
  results: { workload: string; seconds: number; checksum: number; runs: number[]; workers: number }[];
  check?: { workload: string; relDiff: number; maxDiff: number }[];
}

/** `gibbslab bench` at --quick sizes (the same code paths: several τ, chunks and prompt blocks). Not timed. */
describe('gibbslab bench', () => {
  it('prints seconds and a checksum per workload; the checksums are the same bits on 1, 2 and 3 threads', () => {
    const runs = [1, 2, 3].map((w) => cliJson<BenchJson>(['bench', '--quick', '--repeat', '1', '--workers', String(w)]));
    expect(runs[0].results.map((r) => r.workload)).toEqual(['gibbs-sweep', 'mirror-descent', 'grpo-bandit', 'automaton-dp']);
    for (const run of runs) {
      for (const [i, r] of run.results.entries()) {
        expect(r.seconds).toBeGreaterThan(0);
        expect(r.runs).toHaveLength(1);
        expect(Object.is(r.checksum, runs[0].results[i].checksum), `${r.workload} on ${r.workers} threads`).toBe(true);
      }
    }
  });

  it('--check: every workload agrees with the straightforward formulas to 1e-12', () => {
    const run = cliJson<BenchJson>(['bench', '--quick', '--repeat', '1', '--workers', '1', '--check']);
    expect(run.check!.map((c) => c.workload)).toEqual(['gibbs-sweep', 'mirror-descent', 'grpo-bandit', 'automaton-dp']);
    for (const c of run.check!) {
      expect(c.relDiff, c.workload).toBeLessThan(1e-12);
      expect(c.maxDiff, c.workload).toBeLessThan(1e-12);
    }
  });

  it('--compare --rounds K: ours and each peer timed K times, interleaved; the best of each side is kept and compared', () => {
    // A stand-in python: imports succeed, and the i-th peer run reports 1/i seconds (so the last
    // round is a peer's best), logging the order of calls.
    const dir = mkdtempSync(join(tmpdir(), 'gibbslab-peers-'));
    const log = join(dir, 'calls');
    const python = join(dir, 'python');
    writeFileSync(
      python,
      `#!/bin/sh\n[ "$1" = "-c" ] && exit 0\necho "$(basename "$1")" >> "${log}"\nn=$(wc -l < "${log}")\necho "[{\\"seconds\\": $(awk -v n=$n 'BEGIN { printf "%.17g", 1 / n }'), \\"checksum\\": 1}]"\n`,
    );
    chmodSync(python, 0o755);
    for (const p of ['numpy', 'torch']) writeFileSync(join(dir, `peer_${p}.py`), '');
    const run = cliJson<BenchJson & { results: { rounds?: number; peers: Record<string, { seconds: number }>; ratio: number }[] }>(
      ['bench', 'automaton-dp', '--quick', '--repeat', '2', '--workers', '1', '--compare', '--rounds', '3', '--python', python, '--torch-python', python, '--peers', dir],
    );
    const [r] = run.results;
    expect(r.rounds).toBe(3);
    expect(r.runs).toHaveLength(6);
    expect(r.seconds).toBe(Math.min(...r.runs));
    // Calls alternate numpy, torch per round: numpy's best is its third call (the 5th run overall), torch's its sixth.
    expect(r.peers.numpy.seconds).toBeCloseTo(1 / 5, 12);
    expect(r.peers.torch.seconds).toBeCloseTo(1 / 6, 12);
    expect(r.ratio).toBeCloseTo(r.seconds / (1 / 6), 12);
    const bad = cli(['bench', '--rounds', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rounds');
  });

  it('a single workload; an unknown one is one line on stderr and exit 2', () => {
    const one = cliJson<BenchJson>(['bench', 'automaton-dp', '--quick', '--repeat', '1']);
    expect(one.results.map((r) => r.workload)).toEqual(['automaton-dp']);
    const bad = cli(['bench', 'gibbs-swep']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('gibbs-sweep');
  });

  it('--actions sets V of gibbs-sweep (the V-scaling runs); a bad V is one line and exit 2', () => {
    const small = cliJson<BenchJson & { actions?: number }>(['bench', 'gibbs-sweep', '--quick', '--repeat', '1', '--actions', '3000', '--check']);
    expect(small.actions).toBe(3000);
    // Another row, same formulas: the checksum moves and still matches the straightforward path.
    const base = cliJson<BenchJson>(['bench', 'gibbs-sweep', '--quick', '--repeat', '1']);
    expect(small.results[0].checksum).not.toBe(base.results[0].checksum);
    expect(small.check![0].relDiff).toBeLessThan(1e-12);
    const bad = cli(['bench', '--actions', '1.5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--actions');
  });

  it('--floors: positive machine rates and a floor per workload, ours never above the peers\' formulation in exponentials or bytes', () => {
    const run = cliJson<BenchJson & { rates: { readBandwidth: number; expRate: number; normalRate: number }; results: { floor: { peers: Record<string, number>; ours: Record<string, number> } }[] }>([
      'bench', '--quick', '--repeat', '1', '--workers', '1', '--floors',
    ]);
    for (const k of ['readBandwidth', 'expRate', 'normalRate'] as const) expect(run.rates[k]).toBeGreaterThan(0);
    for (const r of run.results) {
      expect(r.floor.ours.seconds).toBeGreaterThan(0);
      expect(r.floor.ours.exps).toBeLessThanOrEqual(r.floor.peers.exps);
      expect(r.floor.ours.bytes).toBeLessThanOrEqual(r.floor.peers.bytes);
      expect(r.floor.ours.seconds).toBeLessThanOrEqual(r.floor.peers.seconds);
    }
  });
});
