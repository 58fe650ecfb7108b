import type { Command } from 'commander';
import { join } from 'node:path';
import { analyzeLog, type RunAnalysis } from '../../analysis/analyze.js';
import { analysisSections, runLabel } from '../../analysis/report.js';
import { LOG_FORMATS, type LogFormat } from '../../analysis/types.js';
import type { RunResults } from '../../experiments/types.js';
import { UsageError } from '../../io/errors.js';
import { newRunDir, writeFileAtomic } from '../../io/files.js';
import { toJson } from '../../io/json.js';
import { readLog } from '../../io/logs/index.js';
import { renderReport } from '../../report/html.js';
import { VERSION } from '../../version.js';
import { parseChoice, parseNumber } from '../options.js';
import { fmt, printJson, table } from '../output.js';
import { examples } from './common.js';

interface AnalyzeFlags {
  format?: string;
  beta?: string;
  p0?: string;
  accuracy?: string;
  groupSize?: string;
  byStep: string;
  seed: string;
  out?: string;
  report: boolean;
  showSkipped?: boolean;
  json?: boolean;
}

const FIXTURES = 'test/fixtures/real-logs';

/** The JSON of one run: the analysis, with the skipped lines themselves only on request. */
function runJson(r: RunAnalysis, showSkipped: boolean): Omit<RunAnalysis, 'skippedLines'> {
  if (showSkipped) return r;
  const { skippedLines: _, ...rest } = r;
  return rest;
}

function range(v: number[] | undefined): string {
  const f = v?.filter(Number.isFinite) ?? [];
  return f.length ? `${fmt(f[0], 4)} → ${fmt(f[f.length - 1], 4)}` : '—';
}

function summary(r: RunAnalysis, showSkipped: boolean): string {
  const lines: string[] = [];
  const s = r.steps;
  lines.push(`${runLabel(r)}  [${r.format}, ${r.library}]  ${r.rows} rows, steps ${s[0]}–${s[s.length - 1]}, ${r.skipped} skipped`);
  const present = Object.keys(r.metrics).filter((k) => r.metrics[k].some(Number.isFinite));
  lines.push(`  metrics: ${present.join(', ')}`);
  for (const k of ['accuracy', 'reward/mean', 'entropy', 'kl_ref', 'kl_old'].filter((k) => present.includes(k))) {
    lines.push(`  ${k.padEnd(12)} ${range(r.metrics[k])}`);
  }
  for (const k of r.klReading) lines.push(`  KL ${k.key}: vs the ${k.against}; ${k.estimator}; placement: ${k.placement}; targets π*_β: ${k.targetsGibbs}`);
  const fit = r.entropyAccuracyFit;
  if (fit) {
    const iv = fit.intervals;
    lines.push(
      `  law R = −a·e^H + b: a = ${fmt(fit.a, 4)}, b = ${fmt(fit.b, 4)}, R² = ${fmt(fit.r2, 3)}, ceiling b − a = ${fmt(fit.ceiling, 4)}` +
        (iv ? ` [${fmt(iv.ceiling.lo, 4)}, ${fmt(iv.ceiling.hi, 4)}]` : '') +
        ` (${fit.n} points)`,
    );
  }
  if (r.shares) {
    lines.push(
      `  by step ${r.shares.atStep}: ${fmt(100 * r.shares.entropyConsumed, 3)}% of the entropy drop, ${fmt(100 * r.shares.gainAchieved, 3)}% of the ${r.shares.gainOf} gain`,
    );
  }
  const d = r.deadSignal;
  if (d) {
    lines.push(
      `  dead signal: ${d.allTieFraction ? `mean all-tie ${fmt(d.meanAllTie, 3)} (${d.source})` : d.note}; ${d.deadSteps.length} step(s) with no signal`,
    );
  }
  const v = r.rlvr;
  if (v) {
    if (v.pStar !== null && v.gap) {
      const last = [...v.gap].reverse().find((g) => !Number.isNaN(g));
      lines.push(`  RLVR: β = ${v.beta}, p₀ = ${fmt(v.p0, 4)}, p* = ${fmt(v.pStar, 6)}, last gap β·kl(p_t‖p*) = ${fmt(last, 4)}`);
    } else {
      lines.push(`  RLVR: ${v.beta === 0 ? 'β = 0 (no reference KL)' : 'no --beta'}; p* by β: ${v.pStarByBeta.map((p) => `${p.beta}→${fmt(p.pStar, 3)}`).join(', ')}`);
    }
  }
  if (r.labPrediction) {
    lines.push(`  lab: binary p₀ = ${fmt(r.labPrediction.task.p, 4)}, mirror descent with η = ${fmt(r.labPrediction.eta, 3)}, RMSE to the log ${fmt(r.labPrediction.rmse, 3)}`);
  }
  for (const n of r.notes) lines.push(`  note: ${n}`);
  if (showSkipped) for (const k of r.skippedLines) lines.push(`  skipped ${k.where}: ${k.reason}: ${k.text}`);
  return lines.join('\n');
}

/** `runs/analyze-<timestamp>`. */
function defaultOut(): string {
  return newRunDir('runs', new Date(), 'analyze-');
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .summary('read logs of real LLM RL runs (TRL, verl, OpenRLHF, wandb CSV) and apply the lab’s diagnostics')
    .description(
      'Reads training logs, maps their metrics onto one vocabulary and reports: the entropy–accuracy law\n' +
        'R = −a·e^H + b (fit, R², ceiling, bootstrap intervals), the all-tie fraction and steps with no learning\n' +
        'signal, which KL the log holds, and with a 0/1 accuracy the RLVR view (p* from logit p* = logit p₀ + 1/β,\n' +
        'the gap β·kl(p_t‖p*)) next to the lab’s matched mirror-descent run. Several logs are compared side by side.\n' +
        'Writes DIR/results.json and DIR/report.html (default DIR: runs/analyze-<timestamp>). See docs/analyze.md.',
    )
    .argument('<logs...>', 'log files (trainer_state.json, console logs, JSONL, CSV)')
    .option('--format <F>', `log format, instead of detecting it: ${LOG_FORMATS.join(', ')}`)
    .option('--beta <B>', 'the run’s reference-KL coefficient β (0 for a run without a reference KL)')
    .option('--p0 <P>', 'accuracy of the reference policy (default: the first logged accuracy)')
    .option('--accuracy <KEY[/SCALE],...>', 'the 0/1 accuracy: a logged key, divided by SCALE (first key a log has wins)')
    .option('--group-size <G>', 'completions per prompt, to estimate the all-tie fraction when the log lacks it')
    .option('--by-step <N>', 'step at which the entropy/gain shares are read', '200')
    .option('--seed <S>', 'seed of the bootstrap', '0')
    .option('--out <dir>', 'output folder (default runs/analyze-<timestamp>)')
    .option('--no-report', 'write no results.json or report.html')
    .option('--show-skipped', 'list every skipped line with its reason')
    .option('--json', 'print one JSON object on stdout')
    .addHelpText(
      'after',
      examples([
        `gibbslab analyze ${FIXTURES}/trl-qwen3.5-9b-gsm8k.step_logs.json --accuracy reward --beta 0`,
        `gibbslab analyze ${FIXTURES}/verl-ppo-qwen2.5-7b-gsm8k.console.log --show-skipped --no-report`,
        `gibbslab analyze ${FIXTURES}/trl-unsloth-llama3.1-8b-gsm8k.trainer_state.json --accuracy rewards/correctness_reward_func/2 --beta 0.04 --group-size 6`,
        `gibbslab analyze ${FIXTURES}/*.json --accuracy reward --json --no-report`,
      ]),
    )
    .action(async (files: string[], opts: AnalyzeFlags) => {
      const format = opts.format === undefined ? undefined : parseChoice<LogFormat>('--format', opts.format, LOG_FORMATS);
      const beta = opts.beta === undefined ? undefined : parseNumber('--beta', opts.beta, { min: 0 });
      const p0 = opts.p0 === undefined ? undefined : parseNumber('--p0', opts.p0, { gt: 0, lt: 1 });
      const groupSize = opts.groupSize === undefined ? undefined : parseNumber('--group-size', opts.groupSize, { integer: true, min: 2 });
      const byStep = parseNumber('--by-step', opts.byStep, { integer: true, min: 0 });
      const seed = parseNumber('--seed', opts.seed, { integer: true });
      const accuracy = opts.accuracy?.split(',').map((s) => s.trim());
      if (accuracy?.some((s) => s === '')) throw new UsageError(`--accuracy = ${JSON.stringify(opts.accuracy)}: must be KEY[/SCALE] or a comma-separated list of them`);

      const runs = files.map((file) => {
        const r = analyzeLog(file, readLog(file, format), { accuracy, beta, p0, groupSize, byStep, seed });
        if (!Object.values(r.metrics).some((v) => v.some(Number.isFinite))) {
          const keys = [...r.unmapped].slice(0, 8).join(', ');
          throw new UsageError(
            `${JSON.stringify(file)}: no usable metric (read ${r.rows} rows with keys ${keys}${r.unmapped.length > 8 ? ', …' : ''}); expected reward, entropy, kl, accuracy or another metric of TRL, verl or OpenRLHF`,
          );
        }
        return r;
      });
      if (accuracy && !runs.some((r) => r.accuracy?.declared)) {
        const keys = [...new Set(Object.values(runs[0].sources).flat().concat(runs[0].unmapped))].slice(0, 10).join(', ');
        throw new UsageError(`--accuracy = ${JSON.stringify(opts.accuracy)}: no such key in ${files.length > 1 ? 'any log' : 'the log'} (it has ${keys}, …)`);
      }

      const showSkipped = opts.showSkipped ?? false;
      let out: string | null = null;
      if (opts.report) {
        out = opts.out ?? defaultOut();
        const results: RunResults & { analyze: { runs: RunAnalysis[] } } = {
          gibbslab: VERSION,
          createdAt: new Date().toISOString(),
          quick: false,
          experiments: [],
          sections: analysisSections(runs),
          analyze: { runs },
        };
        const html = await renderReport(results);
        writeFileAtomic(join(out, 'results.json'), toJson(results, 1));
        writeFileAtomic(join(out, 'report.html'), html);
      }
      if (opts.json) {
        printJson({ runs: runs.map((r) => runJson(r, showSkipped)), out });
        return;
      }
      console.log(runs.map((r) => summary(r, showSkipped)).join('\n\n'));
      if (runs.length > 1) {
        console.log(
          `\n${table(
            ['run', 'rows', 'entropy', 'accuracy', 'law R²', 'ceiling', 'all-tie', 'p*'],
            runs.map((r) => [
              runLabel(r),
              r.rows,
              range(r.metrics.entropy),
              range(r.metrics.accuracy),
              r.entropyAccuracyFit?.r2 ?? null,
              r.entropyAccuracyFit?.ceiling ?? null,
              r.deadSignal?.meanAllTie ?? null,
              r.rlvr?.pStar ?? null,
            ]),
          )}`,
        );
      }
      if (out) console.log(`\nreport: ${join(out, 'report.html')}\nresults: ${join(out, 'results.json')}`);
    });
}
