/** Small DOM helpers for the lab's pages: no framework, every element built by `h`. */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  testid?: string;
  [attribute: string]: string | number | boolean | undefined | ((e: Event) => void);
}

/** An element with attributes (`on…` keys become listeners, `testid` becomes data-testid) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (key === 'testid') el.dataset.testid = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** A number for people: 6 significant digits, exponent form outside [1e-4, 1e6); null and non-finite as words. */
export function show(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(4);
}

/** A message box; `error` for what the user must fix. */
export function message(kind: 'error' | 'note', text: string, testid?: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: kind, role: kind === 'error' ? 'alert' : 'note', testid }, text, ...extra);
}

/** The exact form of a shown number, as the CLI's JSON has it (null where no finite number exists). */
function exact(x: number | null): string {
  return x === null || !Number.isFinite(x) ? 'null' : String(x);
}

export interface NumberRow {
  label: string;
  value: number | null;
  testid: string;
  hint?: string;
}

/**
 * A table of named numbers. Each cell carries the exact value in `data-value` (shortest
 * round-trip form) next to the rounded text, so tests and users can copy it without loss.
 */
export function numberTable(rows: NumberRow[]): HTMLTableElement {
  return h(
    'table',
    { class: 'numbers' },
    ...rows.map((r) =>
      h(
        'tr',
        {},
        h('th', { title: r.hint }, r.label),
        h('td', { testid: r.testid, 'data-value': exact(r.value) }, show(r.value)),
      ),
    ),
  );
}

export interface SliderOptions {
  label: string;
  testid: string;
  min: number;
  max: number;
  value: number;
  /** A logarithmic track (for τ, η): equal steps multiply the value. */
  log?: boolean;
  integer?: boolean;
  hint?: string;
  onInput(value: number): void;
}

export interface Slider {
  el: HTMLElement;
  set(value: number): void;
  setRange(min: number, max: number): void;
}

/**
 * A range input with a number box for exact values. The track of a log slider moves in log10
 * units; the value it gives is rounded to 4 significant digits so that URLs and CLI commands stay
 * readable (the box takes any value).
 */
export function slider(o: SliderOptions): Slider {
  let { min, max } = o;
  const toTrack = (v: number) => (o.log ? Math.log10(v) : v);
  const fromTrack = (t: number) => (o.log ? Number((10 ** t).toPrecision(4)) : o.integer ? Math.round(t) : Number(t.toPrecision(6)));
  const range = h('input', { type: 'range', testid: o.testid, 'aria-label': o.label });
  const box = h('input', { type: 'number', testid: `${o.testid}-value`, step: 'any', 'aria-label': `${o.label} (exact)` });
  const setRange = (a: number, b: number) => {
    min = a;
    max = b;
    range.min = String(toTrack(a));
    range.max = String(toTrack(b));
    // No step grid for real values: a grid anchored at `min` would turn τ = 0.2 into 0.1995.
    range.step = o.integer ? '1' : 'any';
  };
  const set = (v: number) => {
    range.value = String(toTrack(Math.min(max, Math.max(min, v))));
    box.value = String(v);
    box.setCustomValidity('');
  };
  range.addEventListener('input', () => {
    const v = fromTrack(Number(range.value));
    box.value = String(v);
    o.onInput(v);
  });
  box.addEventListener('change', () => {
    const v = Number(box.value);
    const ok = box.value.trim() !== '' && Number.isFinite(v) && (!o.log || v > 0) && (!o.integer || Number.isInteger(v));
    box.setCustomValidity(ok ? '' : `${o.label}: must be ${o.integer ? 'an integer' : 'a number'}${o.log ? ' > 0' : ''}`);
    box.reportValidity();
    if (!ok) return;
    range.value = String(toTrack(Math.min(max, Math.max(min, v))));
    o.onInput(v);
  });
  setRange(min, max);
  set(o.value);
  const el = h('div', { class: 'control' }, h('label', { title: o.hint }, o.label), h('div', { class: 'row' }, range, box));
  if (o.hint) el.append(h('div', { class: 'hint' }, o.hint));
  return { el, set, setRange };
}

export interface ProgressView {
  el: HTMLElement;
  start(label: string): void;
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar with count, rate and ETA (like the CLI's) and a Cancel button. Without a known
 * total it shows the elapsed time only.
 */
export function progressView(onCancel: () => void): ProgressView {
  const bar = h('progress', { testid: 'progress' });
  const text = h('span', { class: 'hint', testid: 'progress-text' });
  let label = '';
  let t0 = 0;
  let timer = 0;
  const stop = () => {
    clearInterval(timer);
    el.hidden = true;
  };
  const cancel = () => {
    onCancel();
    stop();
  };
  const el = h('div', { class: 'progress', hidden: true }, bar, text, h('button', { testid: 'cancel', onclick: cancel }, 'Cancel'));
  const tick = () => {
    if (bar.hasAttribute('value')) return;
    text.textContent = `${label}… ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  };
  return {
    el,
    start(l) {
      label = l;
      t0 = performance.now();
      bar.removeAttribute('value');
      el.hidden = false;
      tick();
      clearInterval(timer);
      timer = window.setInterval(tick, 200);
    },
    update(done, total) {
      bar.max = total;
      bar.value = done;
      const seconds = (performance.now() - t0) / 1000;
      const rate = done / Math.max(seconds, 1e-3);
      const eta = rate > 0 ? (total - done) / rate : NaN;
      text.textContent = `${label}: ${show(done)}/${show(total)} · ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)}/s · ETA ${Number.isFinite(eta) ? `${eta.toFixed(1)} s` : '—'}`;
    },
    stop,
  };
}

/** Saves `text` as a file through the browser's download. */
export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A single-quoted shell word (for the CLI commands the pages show). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface MetricColumn {
  key: string;
  label: string;
  hint?: string;
}

/**
 * A table of several series (rows) by named metrics (columns); cell `value-<row>-<metric>` holds
 * the exact value in `data-value`, as in `numberTable`.
 */
export function metricTable(columns: MetricColumn[], rows: { key: string; label: string; values: Record<string, number | null> }[]): HTMLTableElement {
  return h(
    'table',
    { class: 'numbers' },
    h('tr', {}, h('th', {}, ''), ...columns.map((c) => h('th', { title: c.hint }, c.label))),
    ...rows.map((r) =>
      h(
        'tr',
        {},
        h('th', {}, r.label),
        ...columns.map((c) => {
          const v = r.values[c.key] ?? null;
          return h('td', { testid: `value-${r.key}-${c.key}`, 'data-value': exact(v) }, show(v));
        }),
      ),
    ),
  );
}
