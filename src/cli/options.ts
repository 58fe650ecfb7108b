import { UsageError } from '../io/errors.js';

/** Constraints of a numeric flag, named in its error message. */
export interface NumberRule {
  min?: number;
  /** Exclusive lower bound (e.g. τ > 0). */
  gt?: number;
  max?: number;
  lt?: number;
  integer?: boolean;
}

function describeRule(r: NumberRule): string {
  const parts: string[] = [];
  if (r.integer) parts.push('an integer');
  else parts.push('a number');
  if (r.gt !== undefined) parts.push(`> ${r.gt}`);
  if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  if (r.lt !== undefined) parts.push(`< ${r.lt}`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  return parts.join(' ');
}

/** Parses one numeric flag value, or throws one line: `--tau = "-1": must be a number > 0`. */
export function parseNumber(flag: string, text: string, rule: NumberRule = {}): number {
  const v = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(v) &&
    (!rule.integer || Number.isInteger(v)) &&
    (rule.gt === undefined || v > rule.gt) &&
    (rule.min === undefined || v >= rule.min) &&
    (rule.lt === undefined || v < rule.lt) &&
    (rule.max === undefined || v <= rule.max);
  if (!ok) throw new UsageError(`${flag} = ${JSON.stringify(text)}: must be ${describeRule(rule)}`);
  return v;
}

/** A comma-separated list of numbers (`--tau 0.1,0.5,1`). */
export function parseNumberList(flag: string, text: string, rule: NumberRule = {}): number[] {
  const parts = text.split(',');
  if (parts.length === 0 || parts.some((p) => p.trim() === '')) {
    throw new UsageError(`${flag} = ${JSON.stringify(text)}: must be a comma-separated list of ${describeRule(rule)}`);
  }
  return parts.map((p) => parseNumber(flag, p.trim(), rule));
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text)) {
    throw new UsageError(`${flag} = ${JSON.stringify(text)}: must be one of ${allowed.join(', ')}`);
  }
  return text as T;
}
