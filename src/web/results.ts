import { z } from 'zod';
import type { ExperimentResult, ReportSection, ResultTable, RunResults, Verdict } from '../experiments/types.js';
import { zodErrorLine } from '../io/errors.js';
import { plotList } from './plots.js';
import { h, show } from './ui.js';

/**
 * Rendering results (of a live experiment, or of a stored run's results.json) the way the report
 * does: verdicts, plots (the stored Vega-Lite specs, through vega-embed), tables, notes.
 */

const cell = z.union([z.number(), z.string(), z.null()]);
const tableSchema = z.object({ title: z.string(), columns: z.array(z.string()), rows: z.array(z.array(cell)) });
const plotSchema = z.object({ id: z.string(), title: z.string(), spec: z.record(z.string(), z.unknown()) });
const verdictSchema = z.object({
  claim: z.string(),
  source: z.string(),
  predicted: z.number().nullable(),
  measured: z.number().nullable(),
  tolerance: z.number().nullable(),
  holds: z.boolean(),
});

/**
 * What the Runs page needs from a results.json (written by `gibbslab run`, possibly by an older or
 * newer version): checked so that a damaged file gets a message naming the field, not a blank page.
 */
const runResultsSchema = z.object({
  gibbslab: z.string(),
  createdAt: z.string(),
  quick: z.boolean(),
  experiments: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      question: z.string().default(''),
      source: z.string().default(''),
      claim: z.string().default(''),
      config: z.unknown(),
      verdicts: z.array(verdictSchema),
      plots: z.array(plotSchema).default([]),
      tables: z.array(tableSchema).default([]),
      notes: z.array(z.string()).default([]),
      seconds: z.number().nullable().default(null),
    }),
  ),
  sections: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        paragraphs: z.array(z.string()).default([]),
        plots: z.array(plotSchema).default([]),
        tables: z.array(tableSchema).default([]),
      }),
    )
    .optional(),
});

export function parseRunResults(data: unknown, where: string): RunResults {
  const r = runResultsSchema.safeParse(data);
  if (!r.success) throw new Error(`${where}: ${zodErrorLine(r.error, data, '')}`);
  return r.data as RunResults;
}

function verdictTable(verdicts: Verdict[]): HTMLTableElement {
  return h(
    'table',
    { class: 'data', testid: 'verdicts' },
    h('tr', {}, ...['', 'claim', 'predicted', 'measured', 'tolerance', 'source'].map((c) => h('th', { class: c === 'claim' || c === 'source' ? 'text' : '' }, c))),
    ...verdicts.map((v) =>
      h(
        'tr',
        { 'data-holds': String(v.holds) },
        h('td', { class: v.holds ? 'holds' : 'fails' }, v.holds ? '✓ holds' : '✗ fails'),
        h('td', { class: 'text' }, v.claim),
        h('td', { 'data-value': String(v.predicted) }, show(v.predicted)),
        h('td', { 'data-value': String(v.measured), class: 'measured' }, show(v.measured)),
        h('td', {}, show(v.tolerance)),
        h('td', { class: 'text hint' }, v.source),
      ),
    ),
  );
}

function dataTable(t: ResultTable): HTMLElement {
  return h(
    'div',
    {},
    h('h3', {}, t.title),
    h(
      'table',
      { class: 'data' },
      h('tr', {}, ...t.columns.map((c) => h('th', {}, c))),
      ...t.rows.map((r) => h('tr', {}, ...r.map((c) => h('td', { class: typeof c === 'string' ? 'text' : '' }, typeof c === 'number' || c === null ? show(c) : c)))),
    ),
  );
}

/** An experiment's question and claim, as the report states them. */
export function experimentIntro(e: Pick<ExperimentResult, 'question' | 'claim' | 'source'>): HTMLElement[] {
  return [
    ...(e.question ? [h('p', {}, h('strong', {}, 'Question. '), e.question)] : []),
    ...(e.claim ? [h('p', {}, h('strong', {}, 'Claim. '), e.claim, ' ', h('span', { class: 'hint' }, `(${e.source})`))] : []),
  ];
}

/** An experiment's result; `intro: false` when the page already shows its question and claim. */
export function experimentView(e: ExperimentResult, { intro = true } = {}): HTMLElement {
  const held = e.verdicts.filter((v) => v.holds).length;
  return h(
    'section',
    { class: 'experiment', testid: `experiment-${e.id}` },
    h('h2', {}, e.title, ' ', h('span', { class: 'hint', testid: 'score' }, `${held}/${e.verdicts.length} verdicts hold`)),
    ...(intro ? experimentIntro(e) : []),
    verdictTable(e.verdicts),
    plotList(e.plots),
    ...e.tables.map(dataTable),
    ...e.notes.map((n) => h('p', { class: 'hint' }, n)),
  );
}

export function sectionView(s: ReportSection): HTMLElement {
  return h(
    'section',
    { class: 'experiment', testid: `section-${s.id}` },
    h('h2', {}, s.title),
    ...s.paragraphs.map((p) => h('p', {}, p)),
    plotList(s.plots),
    ...s.tables.map(dataTable),
  );
}
