/**
 * Dotted field paths into plain config objects (`chain.q`, `task.K`, `tauRange.1`): how a sweep
 * axis names the field it varies. Pure: configs are plain JSON-like data.
 */

export type Plain = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Plain {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/** `a.b.0` → ['a', 'b', '0']; null when a segment is empty (`a..b`, `.a`). */
export function splitPath(path: string): string[] | null {
  const segs = path.split('.');
  return segs.every((s) => s !== '') ? segs : null;
}

function childKey(container: unknown, seg: string): string | number | null {
  if (Array.isArray(container)) return /^\d+$/.test(seg) && Number(seg) < container.length ? Number(seg) : null;
  return isPlainObject(container) ? seg : null;
}

export function getPath(root: unknown, segs: readonly string[]): unknown {
  let v: unknown = root;
  for (const seg of segs) {
    const k = childKey(v, seg);
    if (k === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

/**
 * Sets a field in place; false when the path runs through something that is not an object (or an
 * array index out of range), so the caller can name the axis as unknown.
 */
export function setPath(root: unknown, segs: readonly string[], value: unknown): boolean {
  let v: unknown = root;
  for (let i = 0; i < segs.length; i++) {
    const k = childKey(v, segs[i]);
    if (k === null) return false;
    if (i === segs.length - 1) (v as Record<string | number, unknown>)[k] = value;
    else v = (v as Record<string | number, unknown>)[k];
  }
  return true;
}

/** A deep copy of JSON-like data (configs come from YAML/JSON or from schema sizes). */
export function cloneData<T>(v: T): T {
  return structuredClone(v);
}

/** Overrides merged into a base: objects merge field by field, anything else (arrays included) replaces. */
export function mergeConfig(base: unknown, overrides: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return cloneData(overrides);
  const out: Plain = cloneData(base);
  for (const [k, v] of Object.entries(overrides)) out[k] = k in out ? mergeConfig(out[k], v) : cloneData(v);
  return out;
}

/** The leaf field paths of a config (through objects, not into arrays), for "fields are …" messages. */
export function fieldPaths(v: unknown, prefix = ''): string[] {
  if (!isPlainObject(v)) return prefix ? [prefix] : [];
  return Object.entries(v).flatMap(([k, x]) => fieldPaths(x, prefix ? `${prefix}.${k}` : k));
}

/** JSON with object keys sorted: one spelling per value, for identities and comparisons. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isPlainObject(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x,
  );
}
