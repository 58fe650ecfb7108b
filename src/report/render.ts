import type * as Vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import type { PlotSpec } from './specs.js';

/**
 * vega and vega-lite are loaded on first render, not on import: they are hundreds of modules, and
 * every CLI command that merely can write a report would otherwise pay for them at startup.
 */
let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
function loadVega(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  libraries ??= Promise.all([import('vega'), import('vega-lite')]);
  return libraries;
}

/**
 * Static rendering of plot specs. Isomorphic (no Node API): the CLI writes the SVG into
 * report.html, and the browser can call the same function for a printable snapshot.
 */

export interface RenderSvgOptions {
  /**
   * Prefix for the element ids inside the SVG (clip paths, gradients). Vega numbers them from a
   * process-wide counter, so two inline SVGs in one page could otherwise clash, and the same
   * results would give different bytes depending on render order. Default: the plot's id.
   */
  idPrefix?: string;
}

/**
 * Specs carry their data inline, so any load is a bug, not a reason to go online. Vega only warns
 * when a load fails and renders on with empty marks, so the refusals are recorded to fail loudly.
 */
function offlineLoader(refused: string[]): Vega.Loader {
  const refuse = (what: string): Promise<never> => {
    refused.push(what);
    return Promise.reject(new Error(`refusing to load ${JSON.stringify(what)}`));
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

export async function renderSvg(plot: PlotSpec, options: RenderSvgOptions = {}): Promise<string> {
  // Vega logs runtime errors (e.g. a bad expression) and renders on with empty marks;
  // collecting them turns a silently blank figure into an error. Warnings (e.g. non-positive
  // values dropped on a log axis) are not printed: they would leak into CLI output.
  const [vega, { compile }] = await loadVega();
  const errors: string[] = [];
  const refused: string[] = [];
  const logger = vega.logger(vega.Error, 'error', (_method, _level, args) => {
    errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  });
  const compiled = compile(plot.spec as unknown as TopLevelSpec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader: offlineLoader(refused), logger });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) throw new Error(`plot ${JSON.stringify(plot.id)}: specs must carry their data inline, not load ${JSON.stringify(refused[0])}`);
    if (errors.length > 0) throw new Error(`plot ${JSON.stringify(plot.id)}: ${errors[0]}`);
    return localizeIds(svg, options.idPrefix ?? plot.id);
  } finally {
    view.finalize();
  }
}

/** Renames every id (and its references) to `<prefix>-<n>`, numbered in order of appearance. */
function localizeIds(svg: string, prefix: string): string {
  const safe = prefix.replace(/[^A-Za-z0-9_-]/g, '-') || 'plot';
  const renamed = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) {
    if (!renamed.has(m[1])) renamed.set(m[1], `${safe}-${renamed.size}`);
  }
  if (renamed.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => {
    const to = renamed.get(id);
    return to === undefined ? whole : `${lead}${to}`;
  });
}
