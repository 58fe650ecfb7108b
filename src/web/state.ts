import type { z } from 'zod';
import { zodErrorLine } from '../io/errors.js';

/**
 * A page's state lives in the URL hash (`#/equilibrium?task={…}&tau=0.5`), so a link reproduces
 * what the sender saw. Parameters are typed by a field map and validated by the page's zod schema
 * (the task part is src/tasks/schema.ts itself), so a bad link gets the same one-line message as
 * the CLI: field path, value, what is allowed.
 */
/** `list`: comma-separated words (`optimizers=npg,grpo`). */
export type FieldType = 'json' | 'number' | 'string' | 'list';
export type Fields = Record<string, FieldType>;

/** A state that cannot be read; `message` is one line for the page. */
export class StateError extends Error {
  override name = 'StateError';
}

export interface Route {
  page: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  return { page: q < 0 ? body : body.slice(0, q), params: new URLSearchParams(q < 0 ? '' : body.slice(q + 1)) };
}

export function formatHash(page: string, params: URLSearchParams): string {
  const q = params.toString();
  return `#/${page}${q ? `?${q}` : ''}`;
}

/** The raw object a set of URL parameters stands for, before the schema checks it. */
function rawState(params: URLSearchParams, fields: Fields): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, text] of params) {
    const type = fields[key];
    if (!type) throw new StateError(`${key}: unknown parameter; allowed: ${Object.keys(fields).join(', ')}`);
    if (type === 'json') {
      try {
        raw[key] = JSON.parse(text);
      } catch (e) {
        throw new StateError(`${key}: not valid JSON (${(e as Error).message})`);
      }
    } else if (type === 'number') {
      const v = Number(text);
      if (text.trim() === '' || Number.isNaN(v)) throw new StateError(`${key} = ${JSON.stringify(text)}: must be a number`);
      raw[key] = v;
    } else if (type === 'list') {
      raw[key] = text === '' ? [] : text.split(',');
    } else {
      raw[key] = text;
    }
  }
  return raw;
}

export function readState<S>(schema: z.ZodType<S>, params: URLSearchParams, fields: Fields): S {
  const raw = rawState(params, fields);
  const r = schema.safeParse(raw);
  if (!r.success) throw new StateError(zodErrorLine(r.error, raw, ''));
  return r.data;
}

/** URL parameters for a state, in the order of `fields`; undefined fields are left out. */
export function writeState(state: Record<string, unknown>, fields: Fields): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, type] of Object.entries(fields)) {
    const v = state[key];
    if (v === undefined) continue;
    params.set(key, type === 'json' ? JSON.stringify(v) : type === 'list' ? (v as unknown[]).join(',') : String(v));
  }
  return params;
}
