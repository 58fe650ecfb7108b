import type { ExperimentResult, ReportSection, ResultTable, RunResults, Verdict } from './results.js';
import { formatNumber, verdictScore, type Score } from './format.js';
import { renderSvg } from './render.js';
import type { PlotSpec } from './specs.js';

/**
 * report.html: one self-contained file (inline CSS and SVG, no scripts, no external requests), so
 * it can be mailed, archived next to results.json, opened offline and printed. A function of
 * RunResults only, so a stored run can be re-rendered without recomputing anything.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe in text and in quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Turns ids into unique, attribute-safe anchors; experiment ids are user-visible strings, not trusted slugs. */
class Anchors {
  private readonly used = new Set<string>();

  make(kind: string, id: string): string {
    const base = `${kind}-${id.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
    let anchor = base;
    for (let n = 2; this.used.has(anchor); n++) anchor = `${base}-${n}`;
    this.used.add(anchor);
    return anchor;
  }
}

function scoreClass(s: Score): string {
  if (s.total === 0) return 'none';
  return s.held === s.total ? 'pass' : 'fail';
}

function cell(x: number | string | null): string {
  return typeof x === 'string' ? escapeHtml(x) : escapeHtml(formatNumber(x));
}

function isNumeric(x: number | string | null): boolean {
  return x === null || typeof x === 'number';
}

function resultTable(t: ResultTable): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const rows = t.rows
    .map((r) => `<tr>${r.map((x) => `<td${isNumeric(x) ? ' class="num"' : ''}>${cell(x)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="data"><caption>${escapeHtml(t.title)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function verdictTable(verdicts: Verdict[]): string {
  if (verdicts.length === 0) return '<p class="muted">This experiment states no verdicts.</p>';
  const rows = verdicts
    .map(
      (v) => `<tr class="${v.holds ? 'pass' : 'fail'}">
<td>${escapeHtml(v.claim)}</td><td class="source">${escapeHtml(v.source)}</td>
<td class="num">${cell(v.predicted)}</td><td class="num">${cell(v.measured)}</td><td class="num">${cell(v.tolerance)}</td>
<td class="holds" aria-label="${v.holds ? 'holds' : 'does not hold'}">${v.holds ? '✓' : '✗'}</td></tr>`,
    )
    .join('\n');
  return `<table class="verdicts">
<thead><tr><th>claim</th><th>source</th><th>predicted</th><th>measured</th><th>tolerance</th><th>holds</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

/** Flattens a config into dotted keys; arrays of scalars stay one row, long ones are abridged. */
function configRows(value: unknown, key: string, out: [string, string][]): void {
  if (Array.isArray(value) && value.every((x) => x === null || typeof x !== 'object')) {
    const shown = value.slice(0, 12).map(configValue).join(', ');
    out.push([key, value.length > 12 ? `[${shown}, … ${value.length} items]` : `[${shown}]`]);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push([key, Array.isArray(value) ? '[]' : '{}']);
    for (const [k, v] of entries) configRows(v, key ? `${key}.${k}` : k, out);
  } else {
    out.push([key, configValue(value)]);
  }
}

/** Config values verbatim (not rounded): they are inputs someone typed and may want to copy. */
function configValue(x: unknown): string {
  return typeof x === 'string' ? x : String(x);
}

function setupTable(config: unknown): string {
  const rows: [string, string][] = [];
  configRows(config, '', rows);
  if (rows.length === 0) return '<p class="muted">No parameters.</p>';
  return `<table class="setup"><tbody>
${rows.map(([k, v]) => `<tr><th>${escapeHtml(k || 'value')}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</tbody></table>`;
}

/**
 * The figure caption carries the plot title as HTML (searchable, printable), so the spec's own
 * identical title is dropped rather than drawn twice.
 */
async function figure(plot: PlotSpec, scope: string): Promise<string> {
  const spec = plot.spec.title === plot.title ? { ...plot.spec, title: undefined } : plot.spec;
  let body: string;
  try {
    body = await renderSvg({ ...plot, spec }, { idPrefix: `${scope}-${plot.id}` });
  } catch (err) {
    // One bad spec should cost one figure, not the report of a whole (possibly long) run.
    body = `<p class="plot-error">This plot could not be rendered: ${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`;
  }
  return `<figure><figcaption>${escapeHtml(plot.title)}</figcaption>
<div class="plot">${body}</div></figure>`;
}

async function figures(plots: PlotSpec[], scope: string): Promise<string> {
  return (await Promise.all(plots.map((p) => figure(p, scope)))).join('\n');
}

function paragraphs(texts: string[]): string {
  return texts.map((t) => `<p>${escapeHtml(t)}</p>`).join('\n');
}

async function experimentSection(e: ExperimentResult, anchor: string): Promise<string> {
  const score = verdictScore(e.verdicts);
  return `<section class="experiment" id="${anchor}">
<h2><span class="score ${scoreClass(score)}">${score.text}</span> ${escapeHtml(e.title)}</h2>
<p class="meta"><code>${escapeHtml(e.id)}</code> · ran in ${escapeHtml(formatNumber(e.seconds))} s</p>
<dl class="about">
<dt>Question</dt><dd>${escapeHtml(e.question)}</dd>
<dt>Source</dt><dd>${escapeHtml(e.source)}</dd>
<dt>The claim in our words</dt><dd>${escapeHtml(e.claim)}</dd>
</dl>
<h3>Setup</h3>
${setupTable(e.config)}
${e.plots.length ? `<h3>Plots</h3>\n${await figures(e.plots, anchor)}` : ''}
<h3>Verdicts</h3>
${verdictTable(e.verdicts)}
${e.tables.length ? `<h3>Tables</h3>\n${e.tables.map(resultTable).join('\n')}` : ''}
${e.notes.length ? `<h3>Notes</h3>\n<ul class="notes">${e.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}</ul>` : ''}
</section>`;
}

async function extraSection(s: ReportSection, anchor: string): Promise<string> {
  return `<section class="extra" id="${anchor}">
<h2>${escapeHtml(s.title)}</h2>
${paragraphs(s.paragraphs)}
${await figures(s.plots, anchor)}
${s.tables.map(resultTable).join('\n')}
</section>`;
}

function summaryTable(experiments: ExperimentResult[], anchors: string[]): string {
  const rows = experiments
    .map((e, i) => {
      const s = verdictScore(e.verdicts);
      return `<tr class="${scoreClass(s)}"><td><a href="#${anchors[i]}"><code>${escapeHtml(e.id)}</code></a></td>
<td>${escapeHtml(e.title)}</td><td class="num"><span class="score ${scoreClass(s)}">${s.text}</span></td></tr>`;
    })
    .join('\n');
  return `<table class="summary"><caption>Summary: verdicts held per experiment</caption>
<thead><tr><th>experiment</th><th>title</th><th>score</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

const HOW_TO_READ = `<aside class="howto">
<h2>How to read this report</h2>
<p>Each experiment reproduces one published claim in a small world where the answer can be computed
exactly. A <strong>verdict</strong> compares what the theory <em>predicts</em> with what the lab
<em>measured</em>; it <strong>holds</strong> (✓) when they agree within the stated
<strong>tolerance</strong> (an absolute difference unless the claim says otherwise). A dash (—) marks a
number that does not exist for that verdict, e.g. an inequality with no single predicted value.</p>
<p>A failed verdict (✗) is a result, not a crash: the run completed and the claim did not hold at these
settings. The score is the number of verdicts that held out of those checked.</p>
</aside>`;

const CSS = `
:root { --fg: #1d232a; --muted: #5d6975; --line: #d8dde3; --pass: #1a7f37; --pass-bg: #e7f5ea; --fail: #b42318; --fail-bg: #fdecea; --none: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 0 0 .5rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
p { margin: .4rem 0; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted, .meta { color: var(--muted); }
header.top { border-bottom: 2px solid var(--line); padding-bottom: .75rem; margin-bottom: 1rem; }
header.top .meta span + span::before { content: " · "; }
.howto { background: #f5f7fa; border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0 1.5rem; font-size: .92rem; }
.howto h2 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .88rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--line); white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.source { color: var(--muted); }
td.holds { text-align: center; font-weight: 700; }
table.summary, table.verdicts { width: 100%; }
table.setup th { font-weight: 500; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
table.setup td { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; word-break: break-word; }
tr.pass td.holds { color: var(--pass); }
tr.fail td.holds { color: var(--fail); }
table.verdicts tr.fail { background: var(--fail-bg); }
.score { display: inline-block; min-width: 3.2em; padding: 0 .4em; border-radius: 4px; text-align: center; font-weight: 700; font-variant-numeric: tabular-nums; }
.score.pass { background: var(--pass-bg); color: var(--pass); }
.score.fail { background: var(--fail-bg); color: var(--fail); }
.score.none { background: #f0f1f3; color: var(--none); }
section { border-top: 1px solid var(--line); padding-top: 1.25rem; margin-top: 1.75rem; }
dl.about { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0; }
dl.about dt { font-weight: 600; }
dl.about dd { margin: 0; }
figure { margin: .75rem 0 1.25rem; }
figcaption { font-weight: 600; font-size: .92rem; margin-bottom: .25rem; }
.plot svg { max-width: 100%; height: auto; }
.plot-error { color: var(--fail); }
ul.notes { padding-left: 1.2rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@page { margin: 1.5cm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  section.experiment, section.extra { break-before: page; border-top: none; margin-top: 0; }
  figure, tr, .howto, dl.about { break-inside: avoid; }
  h2, h3, caption, figcaption { break-after: avoid; }
  .score, table.verdicts tr.fail { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

export async function renderReport(results: RunResults): Promise<string> {
  const anchors = new Anchors();
  const experimentAnchors = results.experiments.map((e) => anchors.make('exp', e.id));
  const sections = results.sections ?? [];
  const sectionAnchors = sections.map((s) => anchors.make('sec', s.id));
  const total = verdictScore(results.experiments.flatMap((e) => e.verdicts));
  const experimentHtml = await Promise.all(results.experiments.map((e, i) => experimentSection(e, experimentAnchors[i])));
  // A report of only extra sections (e.g. `analyze`) has no verdicts to score or explain.
  const hasExperiments = results.experiments.length > 0;
  const sectionHtml = await Promise.all(sections.map((s, i) => extraSection(s, sectionAnchors[i])));
  const otherSections = sections.length
    ? `<p>Also in this report: ${sections.map((s, i) => `<a href="#${sectionAnchors[i]}">${escapeHtml(s.title)}</a>`).join(', ')}.</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gibbslab report — ${escapeHtml(results.createdAt)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header class="top">
<h1>gibbslab report</h1>
<p class="meta"><span>gibbslab ${escapeHtml(results.gibbslab)}</span><span>created ${escapeHtml(results.createdAt)}</span><span>${results.quick ? 'quick sizes' : 'full sizes'}</span>${hasExperiments ? `<span><span class="score ${scoreClass(total)}">${total.text}</span> verdicts held across ${results.experiments.length} experiment${results.experiments.length === 1 ? '' : 's'}</span>` : ''}</p>
</header>
${hasExperiments ? summaryTable(results.experiments, experimentAnchors) : ''}
${otherSections}
${hasExperiments ? HOW_TO_READ : ''}
${experimentHtml.join('\n')}
${sectionHtml.join('\n')}
<footer>Generated by gibbslab ${escapeHtml(results.gibbslab)} from results.json. This file is self-contained: no scripts, no external resources.</footer>
</main>
</body>
</html>
`;
}
