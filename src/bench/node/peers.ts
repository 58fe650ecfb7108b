import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkloadName } from '../workloads.js';

/**
 * The peers a user would write instead (vectorized NumPy; PyTorch CPU on all threads), run as they
 * ship: `<python> peer_<lib>.py WORKLOAD --json` prints [{workload, seconds, checksum}] (best of 3
 * after a warm-up, inputs included, as our runs).
 */
export const PEERS = ['numpy', 'torch'] as const;
export type PeerName = (typeof PEERS)[number];

export interface PeerResult {
  seconds: number;
  checksum: number;
}

/** The repository root (dist/bench/node → three levels up). */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the peers live by default: the shared bench folder beside the repository. */
export const DEFAULT_PEER_DIR = join(ROOT, '..', 'shared', 'bench');

/** PyTorch's CPU build in a local venv (docs/performance.md says how to install it). */
export const DEFAULT_TORCH_PYTHON = join(ROOT, '.venv-peer', 'bin', 'python');

export interface PeerSetup {
  name: PeerName;
  python: string;
  script: string;
}

/** A peer that can run here, or why not. */
export function findPeer(name: PeerName, python: string, dir: string): PeerSetup | { name: PeerName; missing: string } {
  const script = join(dir, `peer_${name}.py`);
  if (!existsSync(script)) return { name, missing: `${script} not found (--peers DIR)` };
  const probe = spawnSync(python, ['-c', `import ${name}`], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error || probe.status !== 0) return { name, missing: `${python} cannot import ${name}` };
  return { name, python, script };
}

/** One workload on one peer (its own warm-up and best of 3). */
export function runPeer(peer: PeerSetup, workload: WorkloadName): PeerResult | { error: string } {
  const r = spawnSync(peer.python, [peer.script, workload, '--json'], { encoding: 'utf8', timeout: 1_800_000, maxBuffer: 1 << 20 });
  if (r.error || r.status !== 0) return { error: (r.error?.message ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`).slice(0, 200) };
  try {
    const [row] = JSON.parse(r.stdout) as { seconds: number; checksum: number }[];
    return { seconds: row.seconds, checksum: row.checksum };
  } catch {
    return { error: `unreadable output: ${r.stdout.slice(0, 120)}` };
  }
}
