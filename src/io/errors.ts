import type { z } from 'zod';

/**
 * Bad input from a user: printed as one line (field path, bad value, what is allowed), exit code 2,
 * never a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A short, single-line rendering of a user's value for an error message. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(root)';
}

/** One line for the first issue of a zod error: `task.p = 1.5: must be in (0, 1)`. */
export function zodErrorLine(error: z.ZodError, input: unknown, prefix: string): string {
  const issue = error.issues[0];
  const path = issue.path;
  const where = formatPath(prefix, path);
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return `${formatPath(prefix, [...path, keys[0]])}: unknown field (not allowed here)`;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    const allowed = (issue as { options?: unknown[] }).options;
    return `${where} = ${showValue(valueAt(input, path))}: ${allowed ? `must be one of ${allowed.map(String).join(', ')}` : issue.message}`;
  }
  const value = valueAt(input, path);
  return `${where} = ${showValue(value)}: ${issue.message}`;
}

/** Parses `input` with `schema`, turning a failure into a UsageError naming the field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, prefix: string): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new UsageError(zodErrorLine(r.error, input, prefix));
  return r.data;
}
