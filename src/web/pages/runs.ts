import { z } from 'zod';
import type { RunList } from '../../server/runs.js';
import type { Page } from '../page.js';
import { experimentView, parseRunResults, sectionView } from '../results.js';
import { formatHash, readState, type Fields } from '../state.js';
import { h, message } from '../ui.js';

const FIELDS: Fields = { id: 'string' };
const stateSchema = z.object({ id: z.string().min(1).optional() }).strict();

/** Paths relative to the page, as `gibbslab serve` lays them out. */
const runPath = (id: string, file: string) => `runs/${encodeURIComponent(id)}/${file}`;

async function fetchJson(url: string, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`${what}: the lab's server does not answer (${(e as Error).message}); is \`gibbslab serve\` running?`);
  }
  if (!res.ok) throw new Error(`${what}: ${res.status} ${res.statusText || ''}`.trim() + (res.status === 404 ? ' (no such run in the served runs folder)' : ''));
  try {
    return await res.json();
  } catch (e) {
    throw new Error(`${what}: not valid JSON (${(e as Error).message})`);
  }
}

function runLink(id: string): string {
  return formatHash('runs', new URLSearchParams({ id }));
}

async function showList(box: HTMLElement): Promise<void> {
  const list = (await fetchJson('api/runs', 'the list of runs')) as RunList;
  if (list.runs.length === 0) {
    box.replaceChildren(message('note', 'No runs in the served folder yet. `gibbslab run --quick` writes one (runs/<timestamp>/results.json and report.html); reload this page afterwards.', 'no-runs'));
    return;
  }
  box.replaceChildren(
    h(
      'table',
      { class: 'data', testid: 'run-list' },
      h('tr', {}, ...['run', 'created', 'gibbslab', 'size', 'experiments', 'verdicts held', 'files'].map((c) => h('th', { class: 'text' }, c))),
      ...list.runs.map((r) =>
        h(
          'tr',
          { 'data-run': r.id },
          h('td', { class: 'text' }, h('a', { href: runLink(r.id), testid: `open-${r.id}` }, r.id), r.id === list.latest ? h('span', { class: 'hint' }, ' (latest)') : null),
          h('td', { class: 'text' }, r.createdAt ?? '—'),
          h('td', { class: 'text' }, r.gibbslab ?? '—'),
          h('td', { class: 'text' }, r.quick === null ? '—' : r.quick ? 'quick' : 'full'),
          h('td', {}, r.error ? h('span', { class: 'fails' }, r.error) : r.experiments),
          r.verdicts === 0 ? h('td', {}, '—') : h('td', { class: r.held === r.verdicts ? 'holds' : 'fails' }, `${r.held}/${r.verdicts}`),
          h(
            'td',
            { class: 'text' },
            h('a', { href: runPath(r.id, 'results.json'), target: '_blank' }, 'results.json'),
            r.report ? ' · ' : null,
            r.report ? h('a', { href: runPath(r.id, 'report.html'), target: '_blank' }, 'report.html') : null,
          ),
        ),
      ),
    ),
  );
}

async function showRun(box: HTMLElement, id: string): Promise<void> {
  const where = `run ${JSON.stringify(id)}: results.json`;
  const results = parseRunResults(await fetchJson(runPath(id, 'results.json'), where), where);
  const verdicts = results.experiments.flatMap((e) => e.verdicts);
  box.replaceChildren(
    h('p', {}, h('a', { href: '#/runs', testid: 'back' }, '← all runs'), ' · ', h('a', { href: runPath(id, 'report.html'), target: '_blank' }, 'the static report (report.html)')),
    h(
      'p',
      { testid: 'run-summary' },
      `Run ${id}: gibbslab ${results.gibbslab}, ${results.quick ? 'quick' : 'full'} sizes, created ${results.createdAt}`,
      ...(results.experiments.length > 0
        ? ['; ', h('strong', {}, `${verdicts.filter((v) => v.holds).length}/${verdicts.length} verdicts hold`), ` across ${results.experiments.length} experiments.`]
        : [`; ${results.sections?.length ?? 0} report sections.`]),
    ),
    ...results.experiments.map((e) => experimentView(e)),
    ...(results.sections ?? []).map(sectionView),
  );
}

export const runsPage: Page = {
  id: 'runs',
  title: 'Runs',
  mount(root, params) {
    const { id } = readState(stateSchema, params, FIELDS);
    const box = h('div', { testid: 'runs' }, h('div', { class: 'status' }, 'loading…'));
    root.replaceChildren(
      h('h2', {}, id ? `Run ${id}` : 'Stored runs'),
      h('p', { class: 'lead' }, 'The runs folder that ', h('code', {}, 'gibbslab serve'), ' serves (read-only): every ', h('code', {}, 'runs/*/results.json'), ' with its verdicts and plots.'),
      box,
    );
    let live = true;
    (id ? showRun(box, id) : showList(box)).catch((e: unknown) => {
      if (live) box.replaceChildren(message('error', (e as Error).message, 'runs-error'));
    });
    return () => {
      live = false;
    };
  },
};
