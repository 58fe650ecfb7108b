import JSON5 from 'json5';
import type { LogFormat } from '../../analysis/types.js';
import { dropRayPrefix, segments } from './text.js';

/** What `--format` accepts, and what an unknown file is told it could have been. */
export const FORMAT_DESCRIPTIONS: Record<LogFormat, string> = {
  'trl-trainer-state': 'TRL trainer_state.json (log_history)',
  'trl-log-history': 'a bare TRL log-history list',
  'trl-console': 'TRL console dict lines',
  'verl-console': 'verl console `step:N - key:value` lines',
  'verl-jsonl': 'verl JSONL ({"step": N, "data": {...}})',
  openrlhf: 'OpenRLHF progress-bar status lines',
  'wandb-csv': 'a wandb CSV export',
};

function firstLine(text: string): string {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  const nl = t.indexOf('\n');
  return nl < 0 ? t : t.slice(0, nl);
}

function isVerlJsonlLine(line: string): boolean {
  try {
    const o = JSON5.parse(line) as Record<string, unknown> | null;
    return !!o && typeof o === 'object' && typeof o.step === 'number' && !!o.data && typeof o.data === 'object';
  } catch {
    return false;
  }
}

/**
 * The format of a log from its content (the file name only breaks a tie for CSV). Structured
 * files are recognized by their first character and shape; console logs by the kind of metric record they contain. null when nothing fits.
 */
export function detectFormat(text: string, fileName: string): LogFormat | null {
  const head = firstLine(text);
  if (head.startsWith('[')) return 'trl-log-history';
  if (head.startsWith('{')) {
    if (isVerlJsonlLine(head)) return 'verl-jsonl';
    if (head.startsWith("{'")) return 'trl-console';
    return /"log_history"\s*:/.test(text) ? 'trl-trainer-state' : null;
  }
  const header = head.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  if (header.length > 1 && (fileName.toLowerCase().endsWith('.csv') || header.some((h) => h === 'Step' || h === '_step'))) return 'wandb-csv';
  // A verl log also prints its config as a Python dict, so a step line anywhere outranks dicts.
  let dicts = false;
  let bars = false;
  for (const seg of segments(text)) {
    const s = dropRayPrefix(seg.text);
    if (/(?:^|\s)step:\d+\s+-\s+[^\s:]+:/.test(s)) return 'verl-console';
    dicts ||= /\{'[^']+':\s*[-+\d.naiNI]/.test(s);
    bars ||= /\d+\/(?:\d+|\?)\s+\[[^\]]*\b(policy_loss|actor_lr)=/.test(s);
  }
  if (dicts) return 'trl-console';
  if (bars) return 'openrlhf';
  return null;
}
