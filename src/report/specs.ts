/**
 * Plot specifications: Vega-Lite JSON with the data inline. One grammar serves the static report
 * (rendered to SVG in Node) and the web lab (vega-embed); specs are plain data, built by pure
 * functions, never from live state.
 */
export interface PlotSpec {
  id: string;
  title: string;
  /** A Vega-Lite top-level spec (data inline). */
  spec: Record<string, unknown>;
}

export type Row = Record<string, number | string | boolean | null>;

export interface LineChartOptions {
  id: string;
  title: string;
  rows: Row[];
  x: string;
  y: string;
  /** Field that splits rows into lines (a legend). */
  series?: string;
  xTitle?: string;
  yTitle?: string;
  logX?: boolean;
  logY?: boolean;
  /** Vertical reference lines, e.g. τ_c. */
  xRules?: { value: number; label: string }[];
  /** Horizontal reference lines, e.g. success = 1/2. */
  yRules?: { value: number; label: string }[];
  points?: boolean;
  /** Width in pixels before a legend label is cut with "…" (Vega-Lite's default is 160). */
  legendLabelLimit?: number;
  width?: number;
  height?: number;
}

/** Drops rows whose x or y is not a finite number (log scales cannot show 0, Vega-Lite cannot show NaN). */
function plottable(rows: Row[], x: string, y: string, logX: boolean, logY: boolean): Row[] {
  return rows.filter((r) => {
    const xv = r[x];
    const yv = r[y];
    if (typeof xv !== 'number' || typeof yv !== 'number' || !Number.isFinite(xv) || !Number.isFinite(yv)) return false;
    return (!logX || xv > 0) && (!logY || yv > 0);
  });
}

export function lineChart(o: LineChartOptions): PlotSpec {
  const logX = o.logX ?? false;
  const logY = o.logY ?? false;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: plottable(o.rows, o.x, o.y, logX, logY) },
      mark: { type: 'line', point: o.points ?? false, clip: true },
      encoding: {
        x: { field: o.x, type: 'quantitative', title: o.xTitle ?? o.x, scale: logX ? { type: 'log' } : { zero: false } },
        y: { field: o.y, type: 'quantitative', title: o.yTitle ?? o.y, scale: logY ? { type: 'log' } : { zero: false } },
        ...(o.series
          ? { color: { field: o.series, type: 'nominal', title: o.series, ...(o.legendLabelLimit ? { legend: { labelLimit: o.legendLabelLimit } } : {}) } }
          : {}),
        tooltip: [
          { field: o.x, type: 'quantitative' },
          { field: o.y, type: 'quantitative' },
          ...(o.series ? [{ field: o.series, type: 'nominal' }] : []),
        ],
      },
    },
  ];
  if (o.xRules?.length) {
    layers.push({
      data: { values: o.xRules },
      mark: { type: 'rule', strokeDash: [4, 3], color: '#555' },
      encoding: { x: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'label' }, { field: 'value' }] },
    });
    layers.push({
      data: { values: o.xRules },
      mark: { type: 'text', align: 'left', dx: 3, dy: -4, color: '#333', fontSize: 10 },
      encoding: { x: { field: 'value', type: 'quantitative' }, y: { value: 8 }, text: { field: 'label' } },
    });
  }
  if (o.yRules?.length) {
    layers.push({
      data: { values: o.yRules },
      mark: { type: 'rule', strokeDash: [2, 2], color: '#888' },
      encoding: { y: { field: 'value', type: 'quantitative' }, tooltip: [{ field: 'label' }, { field: 'value' }] },
    });
  }
  return {
    id: o.id,
    title: o.title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: o.title,
      width: o.width ?? 420,
      height: o.height ?? 240,
      layer: layers,
    },
  };
}
