import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../io/errors.js';
import { writeFileAtomic } from '../../io/files.js';
import { toJson } from '../../io/json.js';
import type { SweepPlan } from '../plan.js';
import type { SweepRow } from '../results.js';
import type { SweepSpec } from '../spec.js';

/**
 * The sweep folder as a resumable store: DIR/sweep.json (the normalized sweep, written once) and
 * DIR/results.jsonl (one line per finished config, appended as it finishes, in completion order).
 *
 * A line is complete when it ends with a newline: each is written with a single write(2), so a
 * kill can leave at most one partial line, at the end, which opening for resume cuts off. Lines
 * reach the OS on write, so a killed process loses nothing already written; only a power loss
 * could drop the last lines, and those configs are then simply computed again.
 */
export class SweepStore {
  /** Finished configs by index: those read back on resume, then those appended. */
  readonly rows = new Map<number, SweepRow>();
  /** How many configs were already done when the store was opened. */
  readonly resumed: number;
  private fd: number | null;

  private constructor(
    readonly dir: string,
    fd: number,
    rows: Map<number, SweepRow>,
  ) {
    this.fd = fd;
    for (const [i, r] of rows) this.rows.set(i, r);
    this.resumed = rows.size;
  }

  /**
   * Opens DIR for the sweep. A folder that already holds a sweep needs `resume`, and must hold
   * this very sweep (same normalized sweep.json, same config at every stored index).
   */
  static open(dir: string, plan: SweepPlan, resume: boolean): SweepStore {
    const specPath = join(dir, 'sweep.json');
    const linesPath = join(dir, 'results.jsonl');
    const specJson = `${toJson(plan.spec, 1)}\n`;
    let rows = new Map<number, SweepRow>();
    if (existsSync(specPath) || existsSync(linesPath)) {
      if (!resume) throw new UsageError(`--out ${JSON.stringify(dir)}: already holds a sweep; pass --resume to continue it, or choose another --out`);
      if (!existsSync(specPath)) throw new UsageError(`--resume: ${JSON.stringify(dir)} has results.jsonl but no sweep.json; not a folder this command wrote`);
      const stored = readFileSync(specPath, 'utf8');
      if (stored !== specJson) throw new UsageError(`--resume: the sweep in ${JSON.stringify(dir)} was started from a different sweep file (${firstDifference(stored, plan.spec)} differs); resume with the same file, or choose another --out`);
      rows = existsSync(linesPath) ? readLines(linesPath, plan) : rows;
    } else {
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(specPath, specJson);
    }
    return new SweepStore(dir, openSync(linesPath, 'a'), rows);
  }

  /** Appends one finished config and returns the row as it reads back from the file. */
  append(row: SweepRow): SweepRow {
    if (this.fd === null) throw new Error('sweep store is closed');
    const line = toJson(row);
    writeSync(this.fd, `${line}\n`);
    // Keep what a resume would read, so fresh and resumed rows merge to the same bytes.
    const stored = JSON.parse(line) as SweepRow;
    this.rows.set(row.index, stored);
    return stored;
  }

  close(): void {
    if (this.fd === null) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = null;
  }
}

/** The first top-level field of the normalized sweep that changed, for the resume message. */
function firstDifference(stored: string, spec: SweepSpec): string {
  let old: Record<string, unknown>;
  try {
    old = JSON.parse(stored) as Record<string, unknown>;
  } catch {
    return 'sweep.json';
  }
  const now = JSON.parse(toJson(spec)) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(now), ...Object.keys(old)])];
  return keys.find((k) => toJson(old[k]) !== toJson(now[k])) ?? 'its layout';
}

/** Reads the finished rows, cutting off a partial last line (a kill mid-write) and checking every row belongs to this sweep. */
function readLines(path: string, plan: SweepPlan): Map<number, SweepRow> {
  const bytes = readFileSync(path);
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end < bytes.length) truncateSync(path, end);
  const rows = new Map<number, SweepRow>();
  const lines = bytes.subarray(0, end).toString('utf8').split('\n');
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    const where = `${path}:${i + 1}`;
    let row: SweepRow;
    try {
      row = JSON.parse(text) as SweepRow;
    } catch {
      throw new UsageError(`${where}: not valid JSON; the file was edited or damaged (delete that line to compute its config again)`);
    }
    const index = row?.index;
    if (!Number.isInteger(index) || index < 0 || index >= plan.configs.length) throw new UsageError(`${where}: index = ${JSON.stringify(index)}: not a config of this sweep (0 … ${plan.configs.length - 1})`);
    if (toJson(row.config) !== toJson(plan.configs[index])) throw new UsageError(`${where}: config ${index} differs from this sweep's config ${index}; the folder holds another sweep`);
    // Two processes resuming one folder at once could both finish a config; the results are equal, keep the first.
    if (!rows.has(index)) rows.set(index, row);
  });
  return rows;
}
