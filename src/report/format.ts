import type { Verdict } from './results.js';

/**
 * A number as the report and the CLI show it: 5 significant digits, trailing zeros dropped,
 * exponent notation outside [1e-4, 1e6); integers below 1e6 in full; `null` as "—".
 * One implementation so the terminal table and the HTML report never disagree on a value.
 */
export function formatNumber(x: number | null): string {
  if (x === null) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (Number.isInteger(x) && a < 1e6) return String(x);
  if (a >= 1e-4 && a < 1e6) {
    const fixed = x.toPrecision(5);
    // toPrecision itself switches to exponent form when rounding reaches 1e6 (999999.7 → "1.0000e+6").
    if (!fixed.includes('e')) return stripZeros(fixed);
  }
  const [mantissa, exponent] = x.toExponential(4).split('e');
  return `${stripZeros(mantissa)}e${exponent.replace('+', '')}`;
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

/** How many verdicts held, of how many, e.g. "5/6". */
export interface Score {
  held: number;
  total: number;
  text: string;
}

export function verdictScore(verdicts: readonly Verdict[]): Score {
  const held = verdicts.filter((v) => v.holds).length;
  return { held, total: verdicts.length, text: `${held}/${verdicts.length}` };
}
