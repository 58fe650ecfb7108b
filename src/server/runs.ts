import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RunResults } from '../experiments/types.js';
import { resolveInside } from './paths.js';

/** One entry of `GET /api/runs`: enough to list a run without downloading its results. */
export interface RunSummary {
  id: string;
  createdAt: string | null;
  gibbslab: string | null;
  quick: boolean | null;
  experiments: number;
  verdicts: number;
  held: number;
  /** report.html exists next to results.json. */
  report: boolean;
  /** Why results.json could not be read (the run is still listed, so the user sees it is broken). */
  error?: string;
}

export interface RunList {
  runs: RunSummary[];
  /** The run `runs/latest` points at, when that link exists and stays inside the runs folder. */
  latest: string | null;
}

async function summarize(root: string, id: string): Promise<RunSummary | null> {
  const file = await resolveInside(root, [id, 'results.json']);
  if (file === null) return null;
  const report = (await resolveInside(root, [id, 'report.html'])) !== null;
  const empty = { id, createdAt: null, gibbslab: null, quick: null, experiments: 0, verdicts: 0, held: 0, report };
  let data: Partial<RunResults>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Partial<RunResults>;
  } catch (e) {
    return { ...empty, error: `results.json: ${(e as Error).message.split('\n')[0]}` };
  }
  const experiments = Array.isArray(data.experiments) ? data.experiments : [];
  const verdicts = experiments.flatMap((e) => (Array.isArray(e?.verdicts) ? e.verdicts : []));
  return {
    ...empty,
    createdAt: typeof data.createdAt === 'string' ? data.createdAt : null,
    gibbslab: typeof data.gibbslab === 'string' ? data.gibbslab : null,
    quick: typeof data.quick === 'boolean' ? data.quick : null,
    experiments: experiments.length,
    verdicts: verdicts.length,
    held: verdicts.filter((v) => v?.holds === true).length,
  };
}

/** Every run folder (a folder holding results.json) directly under `root`, newest id first. */
export async function listRuns(root: string): Promise<RunList> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const runs: RunSummary[] = [];
  let latest: string | null = null;
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.name === 'latest' && entry.isSymbolicLink()) {
      // `gibbslab run` makes `latest` a relative link to a sibling; anything else is not listed.
      const target = basename(await readlink(`${root}/latest`).catch(() => ''));
      if (target && (await resolveInside(root, [target, 'results.json'])) !== null) latest = target;
      continue;
    }
    const summary = await summarize(root, entry.name);
    if (summary) runs.push(summary);
  }
  runs.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return { runs, latest };
}
