import type { ParsedLog, SkippedRecord } from '../../analysis/types.js';
import { assembleRows, excerpt, type RawRecord } from './rows.js';
import { dropRayPrefix, parseNumberToken, segments } from './text.js';

const STEP_LINE = /(?:^|\s)step:(\d+)\s+-\s+(.*)$/;

/**
 * verl's console logger: `step:N - key:value - key:value …` (values rounded to 3 decimals),
 * behind Ray's `(TaskRunner pid=…)` prefix and ANSI colours. The wandb run summary at the end
 * (`wandb: key value`) and the `Final validation metrics` dict repeat numbers already logged per
 * step; they are counted as skipped summary lines, not read.
 */
export function readVerlConsole(text: string): ParsedLog {
  const skipped: SkippedRecord[] = [];
  const records: RawRecord[] = [];
  for (const seg of segments(text)) {
    const where = `line ${seg.line}`;
    const s = dropRayPrefix(seg.text);
    const m = STEP_LINE.exec(s);
    if (m) {
      const values: Record<string, unknown> = {};
      const bad: string[] = [];
      for (const field of m[2].split(/\s+-\s+/)) {
        const cut = field.lastIndexOf(':');
        const v = cut > 0 ? parseNumberToken(field.slice(cut + 1)) : null;
        if (v === null) bad.push(field);
        else values[field.slice(0, cut).trim()] = v;
      }
      if (bad.length && Object.keys(values).length === 0) {
        skipped.push({ where, reason: 'a step line without key:number fields', text: excerpt(s) });
        continue;
      }
      records.push({ where, step: Number(m[1]), values, text: s });
      continue;
    }
    if (/^wandb:\s+\S+\s+\S+\s*$/.test(s) || /^wandb:\s+\S+\s+[▁▂▃▄▅▆▇█]+\s*$/.test(s)) {
      skipped.push({ where, reason: 'wandb run summary (repeats logged steps)', text: excerpt(s) });
    } else if (/validation metrics:/.test(s)) {
      skipped.push({ where, reason: 'validation summary (repeats a logged step)', text: excerpt(s) });
    }
  }
  return assembleRows('verl-console', records, skipped, []);
}
