import { SingleBar } from 'cli-progress';
import { toJson } from '../io/json.js';

/** Writes the command's one JSON object on stdout (and nothing else on stdout). */
export function printJson(value: unknown): void {
  process.stdout.write(`${toJson(value)}\n`);
}

/** A compact number for terminal tables. */
export function fmt(x: number | null | undefined, digits = 6): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e6 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 2);
}

/** A fixed-width text table. */
export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' || c === null ? fmt(c) : c)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padStart(widths[i])).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * A progress bar with count, rate and ETA on stderr — only on a terminal and never with --json,
 * so scripts and CI logs stay clean.
 */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

export function progressBar(label: string, quiet: boolean): Progress {
  if (quiet || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label} [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 50,
  });
  const start = Date.now();
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0, { rate: '0' });
        started = true;
      }
      bar.setTotal(total);
      const rate = done / Math.max(1e-3, (Date.now() - start) / 1000);
      bar.update(done, { rate: rate >= 10 ? rate.toFixed(0) : rate.toFixed(2) });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
