import JSON5 from 'json5';
import type { ParsedLog, SkippedRecord } from '../../analysis/types.js';
import { UsageError } from '../errors.js';
import { assembleRows, excerpt, type RawRecord } from './rows.js';

/**
 * JSON the way Python writes it: `json.dump` emits bare NaN and Infinity (the HF Trainer does,
 * for a NaN grad_norm), which JSON.parse rejects. JSON5 reads them; it also accepts what strict
 * JSON does, so nothing valid is lost.
 */
function parsePythonJson(text: string, where: string, expected: string): unknown {
  try {
    return JSON5.parse(text);
  } catch (e) {
    const msg = (e as Error).message.replace(/^JSON5: /, '');
    throw new UsageError(`${where}: not valid JSON (${msg}); expected ${expected}`);
  }
}

const EXPECTED = 'a TRL trainer_state.json (an object with log_history) or a list of log rows';

/**
 * TRL `trainer_state.json` (`log_history`) or a bare log-history list: one object per logging
 * step, `step` inside it.
 */
export function readTrlJson(text: string, where: string): ParsedLog {
  const doc = parsePythonJson(text, where, EXPECTED);
  let history: unknown;
  let prefix: string;
  if (Array.isArray(doc)) {
    history = doc;
    prefix = '';
  } else if (doc !== null && typeof doc === 'object' && Array.isArray((doc as Record<string, unknown>).log_history)) {
    history = (doc as Record<string, unknown>).log_history;
    prefix = 'log_history';
  } else {
    throw new UsageError(`${where}: a JSON ${Array.isArray(doc) ? 'list' : typeof doc} without log_history; expected ${EXPECTED}`);
  }
  const skipped: SkippedRecord[] = [];
  const records: RawRecord[] = [];
  (history as unknown[]).forEach((entry, i) => {
    const at = `${prefix}[${i}]`;
    const text = JSON5.stringify(entry) ?? String(entry);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      skipped.push({ where: at, reason: 'not an object', text: excerpt(text) });
      return;
    }
    const { step, ...values } = entry as Record<string, unknown>;
    records.push({ where: at, step: typeof step === 'number' ? step : null, values, text });
  });
  return assembleRows(Array.isArray(doc) ? 'trl-log-history' : 'trl-trainer-state', records, skipped, []);
}
