import { describe, expect, it } from 'vitest';
import { escapeHtml, renderReport } from '../../src/report/html.js';
import { sampleResults } from './fixtures.js';

describe('renderReport', () => {
  it('summarizes scores at the top and links each experiment to its section', async () => {
    const html = await renderReport(sampleResults());
    const summary = html.slice(html.indexOf('<table class="summary"'), html.indexOf('</table>'));
    expect(summary).toContain('2/2');
    expect(summary).toContain('1/2');
    expect(summary).toMatch(/<tr class="pass">[\s\S]*crossing/);
    expect(summary).toMatch(/<tr class="fail">[\s\S]*mirror\/descent/);
    for (const anchor of ['exp-crossing', 'exp-mirror-descent', 'sec-analyze']) {
      expect(html).toContain(`href="#${anchor}"`);
      expect(html).toContain(`id="${anchor}"`);
    }
    expect(html.indexOf('How to read this report')).toBeLessThan(html.indexOf('id="exp-crossing"'));
    expect(html.indexOf('id="exp-mirror-descent"')).toBeLessThan(html.indexOf('id="sec-analyze"'));
  });

  it('renders each experiment: header, setup, inline plot, verdicts, tables, notes', async () => {
    const html = await renderReport(sampleResults());
    expect(html).toContain('gibbslab 0.1.0');
    expect(html).toContain('2025-01-02T03:04:05.000Z');
    expect(html).toContain('quick sizes');
    expect(html).toContain('The claim in our words');
    expect(html).toMatch(/<th>nested\.seed<\/th><td>7<\/td>/);
    expect(html).toContain('[0.1, 1, 10]');
    expect(html).toMatch(/<figcaption>Success vs τ<\/figcaption>\s*<div class="plot"><svg/);
    expect(html).toContain('temperature τ');
    expect(html).toContain('0.45512'); // 4–6 significant digits
    expect(html).toContain('-2.5e-12');
    expect(html).toContain('<td class="num">—</td>');
    expect(html).toMatch(/<tr class="fail">[\s\S]*?✗/);
    expect(html).toContain('Exact in closed form.');
    expect(html).toContain('From logs &amp; such.');
  });

  it('escapes text and stays self-contained', async () => {
    const html = await renderReport(sampleResults());
    expect(html).not.toContain('<script');
    expect(html).toContain('rate is 1 − η&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/\ssrc=/i);
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
    expect(html).toContain('@media print');
  });

  it('escapes attribute-breaking characters', () => {
    expect(escapeHtml(`"'<>&`)).toBe('&quot;&#39;&lt;&gt;&amp;');
  });
});
