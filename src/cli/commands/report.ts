import type { Command } from 'commander';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { RunResults } from '../../experiments/types.js';
import { parseOrThrow, UsageError } from '../../io/errors.js';
import { readStructuredFile, writeFileAtomic } from '../../io/files.js';
import { renderReport } from '../../report/html.js';
import { renderSvg } from '../../report/render.js';
import type { PlotSpec } from '../../report/specs.js';
import { printJson } from '../output.js';
import { examples } from './common.js';

const plotSchema = z.object({ id: z.string(), title: z.string(), spec: z.record(z.string(), z.unknown()) }).loose();

/** What rendering needs from results.json (written by `run`, `sweep` or `analyze`); other fields pass through. */
const resultsSchema = z
  .object({
    gibbslab: z.string(),
    createdAt: z.string(),
    quick: z.boolean(),
    experiments: z.array(z.object({ id: z.string(), title: z.string(), verdicts: z.array(z.unknown()), plots: z.array(plotSchema) }).loose()),
    sections: z.array(z.object({ id: z.string(), title: z.string(), plots: z.array(plotSchema) }).loose()).optional(),
  })
  .loose();

/** Every plot of a report with a file name unique within the folder. */
function namedPlots(results: RunResults): { file: string; plot: PlotSpec }[] {
  const used = new Map<string, number>();
  return [...results.experiments.flatMap((e) => e.plots), ...(results.sections ?? []).flatMap((s) => s.plots)].map((plot) => {
    const stem = plot.id.replace(/[^A-Za-z0-9_-]/g, '-') || 'plot';
    const n = (used.get(stem) ?? 0) + 1;
    used.set(stem, n);
    return { file: `${n === 1 ? stem : `${stem}-${n}`}.png`, plot };
  });
}

/**
 * Writes DIR/png/<plot id>.png for every plot: Vega-Lite → SVG (the report's renderer) → PNG
 * (resvg, twice the SVG's size, system fonts). The folder is built beside and swapped in whole,
 * so an error leaves the previous PNGs, never a mix. resvg's native module loads only here, not at
 * every command's start-up.
 */
async function writePngs(dir: string, results: RunResults): Promise<string[]> {
  const { Resvg } = await import('@resvg/resvg-js');
  const final = join(dir, 'png');
  const tmp = join(dir, `.png.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const files: string[] = [];
    for (const { file, plot } of namedPlots(results)) {
      const svg = await renderSvg(plot);
      const png = new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, background: 'white', font: { loadSystemFonts: true } }).render().asPng();
      writeFileSync(join(tmp, file), png);
      files.push(join(final, file));
    }
    rmSync(final, { recursive: true, force: true });
    renameSync(tmp, final);
    return files;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .summary('re-render DIR/report.html from DIR/results.json (and PNGs of its plots with --png)')
    .description(
      'Renders the report of a run folder again from its results.json, without recomputing anything: after\n' +
        '`gibbslab run`, `gibbslab sweep` or an edit of results.json. With --png also writes DIR/png/<plot id>.png.',
    )
    .argument('<run-dir>', 'a folder written by `gibbslab run` or `gibbslab sweep`')
    .option('--png', 'also write one PNG per plot into DIR/png/')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText('after', examples(['gibbslab run crossing --quick --out runs/try && gibbslab report runs/try --png']))
    .action(async (dir: string, opts: { png?: boolean; json?: boolean }) => {
      const path = join(dir, 'results.json');
      if (!existsSync(path)) throw new UsageError(`run-dir ${JSON.stringify(dir)}: no results.json (not a folder written by run or sweep)`);
      const results = parseOrThrow(resultsSchema, readStructuredFile(path, 'results file'), 'results.json') as unknown as RunResults;
      const report = join(dir, 'report.html');
      writeFileAtomic(report, await renderReport(results));
      const pngs = opts.png ? await writePngs(dir, results) : [];
      if (opts.json) return printJson({ report, pngs });
      console.log(`report: ${report}${pngs.length ? `\npng: ${pngs.length} files in ${join(dir, 'png')}` : ''}`);
    });
}
