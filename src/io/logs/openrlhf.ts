import type { ParsedLog, SkippedRecord } from '../../analysis/types.js';
import { assembleRows, excerpt, type RawRecord } from './rows.js';
import { parseNumberToken, segments } from './text.js';

/** A tqdm bar: `desc: 42%|███ | 21/50 [01:02<01:20, 2.9s/it, k=v, k=v]`. */
const BAR = /(\d+)\/(?:\d+|\?)\s+\[([^\]]*)\]/;

/** Keys of OpenRLHF's per-step status (its micro-batch bars use short names: pg, rm, act_lr). */
const STATUS_KEYS = ['policy_loss', 'actor_lr'];

/**
 * OpenRLHF's console: after each PPO step the episode bar shows the step's mean status through
 * tqdm's postfix (`policy_loss=…, kl=…, reward=…`, 3 significant digits). tqdm redraws the same
 * postfix as the bar advances, so consecutive draws with one postfix are one step, and its step is
 * the bar's count after the advance (the larger count).
 */
export function readOpenRlhf(text: string): ParsedLog {
  const skipped: SkippedRecord[] = [];
  const records: RawRecord[] = [];
  let prevPostfix: string | null = null;
  for (const seg of segments(text)) {
    const m = BAR.exec(seg.text);
    if (!m) continue;
    const fields = m[2].split(/,\s*/).filter((f) => f.includes('='));
    if (!fields.some((f) => STATUS_KEYS.includes(f.slice(0, f.indexOf('=')).trim()))) continue;
    const postfix = fields.join(', ');
    const n = Number(m[1]);
    if (postfix === prevPostfix) {
      const last = records[records.length - 1];
      if (last && last.step !== null && n > last.step) last.step = n;
      continue;
    }
    prevPostfix = postfix;
    const values: Record<string, unknown> = {};
    const bad: string[] = [];
    for (const f of fields) {
      const cut = f.indexOf('=');
      const v = parseNumberToken(f.slice(cut + 1));
      if (v === null) bad.push(f);
      else values[f.slice(0, cut).trim()] = v;
    }
    const where = `line ${seg.line}`;
    if (bad.length) skipped.push({ where, reason: `non-numeric fields ignored: ${bad.join(', ')}`, text: excerpt(seg.text) });
    records.push({ where, step: n, values, text: seg.text });
  }
  return assembleRows('openrlhf', records, skipped, []);
}
