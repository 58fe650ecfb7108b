import { describe, expect, it } from 'vitest';
import { renderSvg } from '../../src/report/render.js';
import { lineChart } from '../../src/report/specs.js';

const rows = [0.1, 1, 10].flatMap((t) => ['a', 'b', 'c'].map((s, i) => ({ tau: t, value: i + 1 / t, method: s })));

describe('renderSvg', () => {
  it('renders a line chart headlessly: axis titles and one line per series', async () => {
    const svg = await renderSvg(lineChart({ id: 'p', title: 'T', rows, x: 'tau', y: 'value', series: 'method', xTitle: 'temperature τ', yTitle: 'KL to Gibbs', logX: true }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('temperature τ');
    expect(svg).toContain('KL to Gibbs');
    const lineGroups = svg.match(/<g class="mark-line[^>]*>(.*?)<\/g>/g) ?? [];
    expect(lineGroups).toHaveLength(3);
    for (const g of lineGroups) expect(g.match(/<path/g)).toHaveLength(1);
  });

  it('escapes data-driven text and prefixes element ids so inline SVGs cannot clash', async () => {
    const plot = lineChart({ id: 'q', title: 'T', rows: rows.map((r) => ({ ...r, method: `<script>${r.method}` })), x: 'tau', y: 'value', series: 'method' });
    const svg = await renderSvg(plot, { idPrefix: 'exp-1' });
    expect(svg).not.toContain('<script');
    const ids = [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id.startsWith('exp-1-')).toBe(true);
    for (const [, ref] of svg.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
    // Same plot, same bytes: the output does not depend on how many plots were rendered before.
    expect(await renderSvg(plot, { idPrefix: 'exp-1' })).toBe(svg);
  });

  it('refuses to fetch data instead of going online', async () => {
    const plot = { id: 'u', title: 'U', spec: { data: { url: 'https://example.com/x.json' }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } } };
    await expect(renderSvg(plot)).rejects.toThrow(/inline/);
  });
});
