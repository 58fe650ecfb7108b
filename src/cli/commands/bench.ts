import type { Command } from 'commander';
import { FULL_SIZES, QUICK_SIZES, WORKLOADS, type WorkloadName } from '../../bench/workloads.js';
import { crossCheck } from '../../bench/crosscheck.js';
import { DEFAULT_PEER_DIR, DEFAULT_TORCH_PYTHON, PEERS, findPeer, runPeer, type PeerName, type PeerResult } from '../../bench/node/peers.js';
import { createExecutor, defaultThreads } from '../../bench/node/pool.js';
import { machine, mergeTimings, timeWorkload, type Timing } from '../../bench/node/run.js';
import { parseChoice, parseNumber } from '../options.js';
import { fmt, printJson, progressBar, table } from '../output.js';
import { examples } from './common.js';
import { floorSeconds, measureRates, workloadWork, type Work } from '../../bench/floors.js';

interface BenchOpts {
  json?: boolean;
  compare?: boolean;
  python: string;
  torchPython: string;
  peers: string;
  workers?: string;
  repeat: string;
  rounds: string;
  quick?: boolean;
  check?: boolean;
  actions?: string;
  floors?: boolean;
}

interface Row extends Timing {
  workers: number;
  /** --rounds, when more than one: ours and the peers' best over that many interleaved rounds. */
  rounds?: number;
  peers?: Partial<Record<PeerName, PeerResult | { error: string } | null>>;
  /** Our time over the faster peer's. */
  ratio?: number | null;
  /** Physical floors (seconds) of the peers' formulation and of ours, on this machine (--floors). */
  floor?: { peers: Work & { seconds: number }; ours: Work & { seconds: number } };
}

/** A peer's better result of two rounds (an error only when both failed). */
function fasterPeer(a: PeerResult | { error: string } | null | undefined, b: PeerResult | { error: string }): PeerResult | { error: string } {
  if (!a || !('seconds' in a)) return b;
  return 'seconds' in b && b.seconds < a.seconds ? b : a;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .summary('time the performance workloads (gibbs-sweep, mirror-descent, grpo-bandit, automaton-dp); --compare runs the NumPy and PyTorch peers')
    .description(
      'Runs each workload through the library (best of --repeat after a warm-up, inputs included, on --workers ' +
        'threads) and prints seconds and a checksum. --compare runs the peers in the same invocation, workload by ' +
        "workload, and prints our time over the faster peer's. --check compares our numbers with the straightforward " +
        'formulas on the same inputs. --actions changes V of gibbs-sweep and mirror-descent (how time grows with V). ' +
        'Workloads and measurements: docs/performance.md.',
    )
    .argument('[workload...]', `any of ${WORKLOADS.join(', ')} (default: all)`)
    .option('--json', 'print one JSON object on stdout')
    .option('--compare', 'also run the peers (python with numpy; a python with torch)')
    .option('--python <path>', 'python with numpy for the NumPy peer', 'python3')
    .option('--torch-python <path>', 'python with torch for the PyTorch peer', DEFAULT_TORCH_PYTHON)
    .option('--peers <dir>', 'folder with peer_numpy.py and peer_torch.py', DEFAULT_PEER_DIR)
    .option('--workers <N>', 'threads (default: all cores; 1 = this thread only)')
    .option('--repeat <N>', 'timed runs per workload, after one warm-up', '3')
    .option('--rounds <K>', 'with --compare: K rounds of ours then each peer, interleaved, best of each kept (a machine whose speed drifts then affects both sides alike)', '1')
    .option('--quick', 'small sizes (a smoke test: same code paths, milliseconds)')
    .option('--check', 'also compare with the straightforward formulas on the same inputs')
    .option('--floors', "also measure this machine's rates (bandwidth, exponentials, normal draws) and print each workload's physical floor")
    .option('--actions <V>', 'actions V of gibbs-sweep and mirror-descent (default: 1000000, the peers\' size)')
    .addHelpText(
      'after',
      examples(['gibbslab bench', 'gibbslab bench gibbs-sweep automaton-dp --json', 'gibbslab bench --compare', 'gibbslab bench grpo-bandit --compare --rounds 3', 'gibbslab bench --quick --workers 1 --check', 'gibbslab bench gibbs-sweep --actions 10000000 --workers 1', 'gibbslab bench --floors']),
    )
    .action(async (names: string[], opts: BenchOpts) => {
      const workloads = (names.length ? names : [...WORKLOADS]).map((n) => parseChoice('workload', n, WORKLOADS)) as WorkloadName[];
      const threads = opts.workers === undefined ? defaultThreads() : parseNumber('--workers', opts.workers, { integer: true, min: 1, max: 256 });
      const repeat = parseNumber('--repeat', opts.repeat, { integer: true, min: 1, max: 100 });
      const rounds = parseNumber('--rounds', opts.rounds, { integer: true, min: 1, max: 20 });
      const base = opts.quick ? QUICK_SIZES : FULL_SIZES;
      const actions = opts.actions === undefined ? undefined : parseNumber('--actions', opts.actions, { integer: true, min: 2, max: 100_000_000 });
      const sizes = actions === undefined ? base : { ...base, gibbs: { ...base.gibbs, actions }, mirror: { ...base.mirror, actions } };
      const peers = opts.compare
        ? PEERS.map((p) => findPeer(p, p === 'numpy' ? opts.python : opts.torchPython, opts.peers))
        : [];
      const ready = peers.filter((p) => !('missing' in p));
      const rates = opts.floors ? measureRates() : undefined;
      const before = machine();
      const bar = progressBar('bench', !!opts.json);
      const rows: Row[] = [];
      const ex = createExecutor(threads);
      try {
        for (const [i, name] of workloads.entries()) {
          bar.update(i, workloads.length);
          let ours = await timeWorkload(name, sizes, ex, repeat);
          const theirs: Row['peers'] = {};
          for (let k = 0; k < (opts.compare ? rounds : 1); k++) {
            if (k > 0) ours = mergeTimings(ours, await timeWorkload(name, sizes, ex, repeat));
            for (const p of opts.compare ? peers : []) theirs[p.name] = 'missing' in p ? null : fasterPeer(theirs[p.name], runPeer(p, name));
          }
          const row: Row = { ...ours, workers: threads, ...(opts.compare && rounds > 1 ? { rounds } : {}) };
          if (rates) {
            const w = workloadWork(name, sizes);
            row.floor = { peers: { ...w.peers, seconds: floorSeconds(w.peers, rates, threads) }, ours: { ...w.ours, seconds: floorSeconds(w.ours, rates, threads) } };
          }
          if (opts.compare) {
            row.peers = theirs;
            const times = Object.values(row.peers).flatMap((r) => (r && 'seconds' in r ? [r.seconds] : []));
            row.ratio = times.length ? row.seconds / Math.min(...times) : null;
          }
          rows.push(row);
        }
        bar.update(workloads.length, workloads.length);
      } finally {
        bar.stop();
        await ex.close();
      }
      const check = opts.check ? crossCheck(workloads, sizes) : undefined;
      const missing = peers.flatMap((p) => ('missing' in p ? [`${p.name}: ${p.missing}`] : []));
      if (opts.json) {
        printJson({ results: rows, sizes: opts.quick ? 'quick' : 'full', ...(actions === undefined ? {} : { actions }), workers: threads, machine: { ...before, loadAverageAfter: machine().loadAverage }, ...(opts.compare ? { missingPeers: missing } : {}), ...(check ? { check } : {}), ...(rates ? { rates } : {}) });
        return;
      }
      const peerCols = ready.map((p) => p.name);
      const cell = (r: PeerResult | { error: string } | null | undefined) => (r && 'seconds' in r ? fmt(r.seconds, 3) : r && 'error' in r ? 'error' : '—');
      console.log(
        table(
          ['workload', `seconds (${threads} thr)`, 'median', ...peerCols.map((p) => `${p} s`), ...(opts.compare ? ['÷ faster peer'] : []), ...(rates ? ['floor (peers) s', 'floor (ours) s', '÷ our floor'] : []), 'checksum'],
          rows.map((r) => [
            r.workload,
            fmt(r.seconds, 3),
            fmt(r.secondsMedian, 3),
            ...peerCols.map((p) => cell(r.peers?.[p])),
            ...(opts.compare ? [r.ratio === null || r.ratio === undefined ? '—' : fmt(r.ratio, 3)] : []),
            ...(r.floor ? [fmt(r.floor.peers.seconds, 3), fmt(r.floor.ours.seconds, 3), fmt(r.seconds / r.floor.ours.seconds, 3)] : []),
            fmt(r.checksum, 12),
          ]),
        ),
      );
      for (const m of missing) console.log(`peer skipped — ${m}`);
      for (const r of rows) for (const [p, v] of Object.entries(r.peers ?? {})) if (v && 'error' in v) console.log(`${r.workload} ${p}: ${v.error}`);
      if (check) {
        console.log('\ncross-check against the straightforward formulas on the same inputs:');
        console.log(
          table(
            ['workload', 'compared', 'sum (ours)', 'sum (straightforward)', 'rel diff', 'max diff'],
            check.map((c) => [c.workload, c.what, fmt(c.checksum, 15), fmt(c.straightforward, 15), c.relDiff, c.maxDiff]),
          ),
        );
      }
      if (rates) {
        console.log(
          `\nrates on one thread: read ${fmt(rates.readBandwidth / 1e9, 3)} GB/s, fastExp ${fmt(rates.expRate / 1e6, 4)} M/s, normal draws ${fmt(rates.normalRate / 1e6, 4)} M/s; ` +
            'floor = max(bytes / bandwidth, exponentials / (rate × threads)) + draws / rate (÷ threads where our threads draw the inputs)',
        );
      }
      console.log(`\n${before.cores} × ${before.cpu}, node ${before.node}, load average ${before.loadAverage.join(' ')}`);
    });
}
