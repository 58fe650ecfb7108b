import { stripVTControlCharacters } from 'node:util';

/**
 * Console logs as the terminal saw them: lines end in \n, progress bars redraw with \r, colours
 * are ANSI escapes. A "segment" is what lies between two of either break.
 */
export interface Segment {
  /** 1-based line number (counting \n only, as an editor does). */
  line: number;
  text: string;
}

export function segments(text: string): Segment[] {
  const out: Segment[] = [];
  text.split('\n').forEach((line, i) => {
    for (const part of stripVTControlCharacters(line).split('\r')) if (part.trim()) out.push({ line: i + 1, text: part });
  });
  return out;
}

/** Ray prefixes every worker line with `(TaskRunner pid=…)`; drop one such prefix. */
export function dropRayPrefix(s: string): string {
  return s.replace(/^\s*\([A-Za-z_][\w]*\s+pid=[^)]*\)\s?/, '');
}

/** `nan`, `inf`, `-inf` as Python prints them, and plain numbers; null for anything else. */
export function parseNumberToken(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === 'nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return null;
  return Number(t);
}
