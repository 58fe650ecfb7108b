import JSON5 from 'json5';
import type { ParsedLog, SkippedRecord } from '../../analysis/types.js';
import { assembleRows, excerpt, type RawRecord } from './rows.js';
import { segments } from './text.js';

const PY_WORDS: Record<string, string> = { nan: 'NaN', inf: 'Infinity', True: 'true', False: 'false', None: 'null' };

/**
 * A Python `repr` of a dict/list/tuple literal starting at `from`, rewritten as JSON5 (which
 * already reads single-quoted strings): nan/inf/True/False/None become their JSON5 spellings and
 * tuples become lists. Returns null when the literal does not close within the text.
 */
function pythonLiteralToJson5(text: string, from: number): { json5: string; end: number } | null {
  let out = '';
  let depth = 0;
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) return null;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < text.length && /\w/.test(text[j])) j++;
      const word = text.slice(i, j);
      out += PY_WORDS[word] ?? word;
      i = j;
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    if (c === '}' || c === ']' || c === ')') depth--;
    out += c === '(' ? '[' : c === ')' ? ']' : c;
    i++;
    if (depth === 0) return { json5: out, end: i };
  }
  return null;
}

/**
 * TRL console output: the Trainer prints each log as a Python dict (`{'loss': 0.01, …}`), often
 * glued to tqdm progress bars by \r. Every dict that starts a segment or follows progress output
 * is a record; TRL's console dicts carry no step, so the row number stands in (and a note says so)
 * unless the dict has one.
 */
export function readTrlConsole(text: string): ParsedLog {
  const skipped: SkippedRecord[] = [];
  const records: RawRecord[] = [];
  for (const seg of segments(text)) {
    for (let at = seg.text.indexOf("{'"); at >= 0; at = seg.text.indexOf("{'", at + 1)) {
      const where = `line ${seg.line}`;
      const lit = pythonLiteralToJson5(seg.text, at);
      if (!lit) {
        skipped.push({ where, reason: 'a dict that does not close on its line', text: excerpt(seg.text.slice(at)) });
        break;
      }
      const raw = seg.text.slice(at, lit.end);
      let value: unknown;
      try {
        value = JSON5.parse(lit.json5);
      } catch {
        skipped.push({ where, reason: 'not a Python literal of numbers', text: excerpt(raw) });
        at = lit.end - 1;
        continue;
      }
      const { step, ...values } = value as Record<string, unknown>;
      records.push({ where, step: typeof step === 'number' ? step : null, values, text: raw });
      at = lit.end - 1;
    }
  }
  return assembleRows('trl-console', records, skipped, []);
}
