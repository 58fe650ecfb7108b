import { existsSync, readFileSync } from 'node:fs';
import { LOG_FORMATS, type LogFormat, type ParsedLog } from '../../analysis/types.js';
import { UsageError } from '../errors.js';
import { detectFormat, FORMAT_DESCRIPTIONS } from './detect.js';
import { readOpenRlhf } from './openrlhf.js';
import { readTrlConsole } from './trlConsole.js';
import { readTrlJson } from './trlJson.js';
import { readVerlConsole } from './verlConsole.js';
import { readVerlJsonl } from './verlJsonl.js';
import { readWandbCsv } from './wandbCsv.js';

export { detectFormat, FORMAT_DESCRIPTIONS } from './detect.js';

const READERS: Record<LogFormat, (text: string, where: string) => ParsedLog> = {
  'trl-trainer-state': readTrlJson,
  'trl-log-history': readTrlJson,
  'trl-console': readTrlConsole,
  'verl-console': readVerlConsole,
  'verl-jsonl': readVerlJsonl,
  openrlhf: readOpenRlhf,
  'wandb-csv': readWandbCsv,
};

/**
 * Reads a log's text in the given format, or the detected one. Throws a one-line UsageError
 * when the format is unknown, the file is malformed as a whole, or no metric row is found.
 */
export function parseLog(text: string, name: string, format?: LogFormat): ParsedLog {
  const where = JSON.stringify(name);
  const fmt = format ?? detectFormat(text, name);
  if (!fmt) {
    throw new UsageError(
      `${where}: unknown log format; expected ${Object.values(FORMAT_DESCRIPTIONS).join(', ')} (or name one with --format ${LOG_FORMATS.join('|')})`,
    );
  }
  const log = READERS[fmt](text, where);
  if (log.rows.length === 0) {
    const why = log.skipped.length ? ` (${log.skipped.length} records skipped, first: ${log.skipped[0].reason})` : '';
    throw new UsageError(`${where}: no metric rows read as ${fmt}${why}; expected ${FORMAT_DESCRIPTIONS[fmt]}`);
  }
  return log;
}

export function readLog(path: string, format?: LogFormat): ParsedLog {
  if (!existsSync(path)) throw new UsageError(`log ${JSON.stringify(path)}: file not found`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`log ${JSON.stringify(path)}: cannot read (${(e as Error).message.split('\n')[0]})`);
  }
  return parseLog(text, path, format);
}
