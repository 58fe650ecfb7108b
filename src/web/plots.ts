import type { PlotSpec } from '../report/specs.js';
import { h } from './ui.js';

type Embed = typeof import('vega-embed').default;
type Result = Awaited<ReturnType<Embed>>;

/** vega-embed (with vega and vega-lite) is the page's largest chunk: loaded on the first plot only. */
let embedModule: Promise<Embed> | null = null;
const loadEmbed = () => (embedModule ??= import('vega-embed').then((m) => m.default));

/**
 * A slot for one plot. The spec comes from src/report/specs.ts, as in the HTML report; `show`
 * replaces the plot, and a plot still rendering when a newer one arrives is dropped.
 */
export class PlotView {
  readonly el: HTMLElement;
  private view: Result | null = null;
  private generation = 0;

  constructor(testid: string) {
    this.el = h('div', { class: 'plot', testid });
  }

  async show(plot: PlotSpec): Promise<void> {
    const generation = ++this.generation;
    const embed = await loadEmbed();
    if (generation !== this.generation) return;
    const target = h('div');
    // SVG: crisp text in screenshots and prints; no outside requests (no editor/source links).
    const result = await embed(target, plot.spec as never, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
    if (generation !== this.generation) return result.finalize();
    this.view?.finalize();
    this.view = result;
    this.el.replaceChildren(target);
    this.el.dataset.plot = plot.id;
  }

  clear(): void {
    this.generation++;
    this.view?.finalize();
    this.view = null;
    this.el.replaceChildren();
  }
}

/** Renders a list of plots into fresh slots (the Runs and Experiments pages). */
export function plotList(plots: PlotSpec[]): HTMLElement {
  const box = h('div', { class: 'plots' });
  for (const p of plots) {
    const v = new PlotView(`plot-${p.id}`);
    box.append(v.el);
    v.show(p).catch((e: unknown) => v.el.replaceChildren(h('div', { class: 'error' }, `plot ${p.id}: ${(e as Error).message}`)));
  }
  return box;
}
