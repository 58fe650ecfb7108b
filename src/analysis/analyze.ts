import { Rng } from '../numerics/rng.js';
import { deadSignal, type DeadSignal } from './deadSignal.js';
import { bootstrapEntropyLaw, fitEntropyLaw, sharesByStep, type BootstrapIntervals, type EntropyLawFit, type Shares } from './entropyLaw.js';
import { klReading, missingReferenceKlNote, type KlReading } from './klReading.js';
import { mapMetrics, type Library, type MappedMetrics } from './metricMap.js';
import { labPrediction, rlvrView, type LabPrediction, type RlvrView } from './rlvr.js';
import type { LogFormat, ParsedLog, SkippedRecord } from './types.js';

/**
 * Everything `gibbslab analyze` says about one log, as plain data. `analyzeLog` is pure and
 * isomorphic: the CLI reads the file, the web lab could hand over the same ParsedLog.
 */

export interface AccuracySource {
  key: string;
  scale: number;
  declared: boolean;
  note: string;
}

export interface EntropyAccuracyFit extends EntropyLawFit {
  /** The steps of the fitted points (where both entropy and accuracy are logged). */
  steps: number[];
  intervals: BootstrapIntervals | null;
}

export interface RunAnalysis {
  file: string;
  format: LogFormat;
  library: Library;
  rows: number;
  skipped: number;
  steps: number[];
  metrics: Record<string, number[]>;
  sources: Record<string, string[]>;
  unmapped: string[];
  accuracy: AccuracySource | null;
  entropyAccuracyFit: EntropyAccuracyFit | null;
  shares: (Shares & { gainOf: 'accuracy' | 'reward/mean' }) | null;
  allTieFraction: number[] | null;
  deadSignal: DeadSignal | null;
  bernoulliGap: number[] | null;
  rlvr: RlvrView | null;
  labPrediction: LabPrediction | null;
  klReading: KlReading[];
  notes: string[];
  skippedLines: SkippedRecord[];
}

export interface AnalyzeOptions {
  /** `KEY[/SCALE]` texts, tried in order; the first one the log has is its accuracy. */
  accuracy?: readonly string[];
  beta?: number;
  /** The reference policy's accuracy, when known better than from the log's first point. */
  p0?: number;
  groupSize?: number;
  /** The step at which the entropy/gain shares are read (Cui et al. use ~200). */
  byStep?: number;
  seed?: number;
  bootstrapSamples?: number;
}

function column(m: MappedMetrics, key: string): number[] | undefined {
  return m.raw.get(key) ?? m.metrics[key];
}

/**
 * `KEY[/SCALE]`: the whole text if the log has such a key, else the last `/`-segment as a positive
 * divisor (`rewards/correctness_reward_func/2` for a reward of 2 per correct answer).
 */
export function resolveAccuracySpec(text: string, m: MappedMetrics): { key: string; scale: number; values: number[] } | null {
  const whole = column(m, text);
  if (whole) return { key: text, scale: 1, values: whole };
  const cut = text.lastIndexOf('/');
  if (cut <= 0) return null;
  const scale = Number(text.slice(cut + 1));
  if (!(Number.isFinite(scale) && scale > 0)) return null;
  const key = text.slice(0, cut);
  const col = column(m, key);
  return col ? { key, scale, values: col.map((v) => v / scale) } : null;
}

/** verl's validation metrics name their meaning; TRL's rewards do not, so they need --accuracy. */
const AUTO_ACCURACY: { pattern: RegExp; note: string }[] = [
  { pattern: /^val-core\/.+\/acc(uracy)?\/mean@\d+$/, note: 'validation accuracy' },
  { pattern: /^val-core\/.+\/reward\/mean@\d+$/, note: 'validation reward, read as accuracy: verl rule-based scores are 0/1 (override with --accuracy)' },
  { pattern: /^val\/test_score\/.+$/, note: 'validation score, read as accuracy: verl rule-based scores are 0/1 (override with --accuracy)' },
];

function resolveAccuracy(m: MappedMetrics, specs: readonly string[] | undefined): { source: AccuracySource; values: number[] } | null {
  for (const text of specs ?? []) {
    const r = resolveAccuracySpec(text, m);
    if (r) {
      const note = r.scale === 1 ? `accuracy = ${r.key} (declared)` : `accuracy = ${r.key} / ${r.scale} (declared)`;
      return { source: { key: r.key, scale: r.scale, declared: true, note }, values: r.values };
    }
  }
  const keys = [...m.raw.keys()].sort();
  for (const { pattern, note } of AUTO_ACCURACY) {
    const hits = keys.filter((k) => pattern.test(k));
    if (hits.length === 0) continue;
    const key = hits[0];
    const more = hits.length > 1 ? ` (${hits.length} candidates; the first is used: ${hits.join(', ')})` : '';
    return { source: { key, scale: 1, declared: false, note: `accuracy = ${key}: ${note}${more}` }, values: m.raw.get(key)! };
  }
  return null;
}

/** The coarsest power of ten every value is a multiple of, down to 1e-6 (console loggers round). */
function resolution(values: readonly number[]): number | null {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return null;
  for (let d = 0; d <= 6; d++) {
    const q = 10 ** d;
    if (finite.every((v) => Math.abs(v * q - Math.round(v * q)) < 1e-6)) return 1 / q;
  }
  return null;
}

function pairs(steps: readonly number[], x: readonly number[], y: readonly number[]) {
  const idx = steps.map((_, i) => i).filter((i) => Number.isFinite(x[i]) && Number.isFinite(y[i]));
  return { steps: idx.map((i) => steps[i]), x: idx.map((i) => x[i]), y: idx.map((i) => y[i]) };
}

export function analyzeLog(file: string, log: ParsedLog, options: AnalyzeOptions = {}): RunAnalysis {
  const m = mapMetrics(log);
  const notes = [...log.notes];
  const metrics = { ...m.metrics };
  const sources = { ...m.sources };
  const acc = resolveAccuracy(m, options.accuracy);
  if (options.accuracy?.length && !acc?.source.declared) notes.push(`--accuracy: this log has none of ${options.accuracy.join(', ')}`);
  if (acc) {
    metrics.accuracy = acc.values;
    sources.accuracy = [acc.source.key];
    notes.push(acc.source.note);
    const outside = acc.values.filter((v) => Number.isFinite(v) && (v < 0 || v > 1)).length;
    if (outside) notes.push(`${outside} accuracy values fall outside [0, 1]: is ${acc.source.key} a 0/1 score (or is a /SCALE missing)?`);
  } else {
    notes.push('no accuracy: pass --accuracy KEY[/SCALE] when a logged reward is a 0/1 correctness score (e.g. --accuracy reward)');
  }

  const kl = klReading(m);
  if (!kl.some((r) => r.metric === 'kl_ref')) notes.push(missingReferenceKlNote(m.library));

  const H = metrics.entropy;
  const R = metrics.accuracy;
  let fit: EntropyAccuracyFit | null = null;
  if (H && R) {
    const p = pairs(m.steps, H, R);
    const f = fitEntropyLaw(p.x, p.y);
    if (f) {
      const rng = Rng.fromSeed(options.seed ?? 0).split('entropy-law', file);
      fit = { ...f, steps: p.steps, intervals: bootstrapEntropyLaw(p.x, p.y, rng, options.bootstrapSamples ?? 1000) };
    } else {
      notes.push(`entropy–accuracy fit: ${p.x.length} paired points with distinct entropies are too few (need 3)`);
    }
    const res = resolution(H);
    if (res !== null && res >= 1e-3) notes.push(`entropy is logged at a resolution of ${res}: the fit sees it in steps of that size`);
  }

  const gainOf = R ? ('accuracy' as const) : ('reward/mean' as const);
  const G = R ?? metrics['reward/mean'];
  const byStep = options.byStep ?? 200;
  const shares = H && G ? sharesByStep(m.steps, H, G, byStep) : null;
  if (H && G && !shares) notes.push(`shares by step ${byStep}: the log ends by then (or pairs too few points), so there is nothing to compare with`);

  const dead = deadSignal(m.steps, metrics, options.groupSize);
  const rlvr = R ? rlvrView(m.steps, R, options.beta, options.p0) : null;
  if (R && !rlvr) notes.push('RLVR view: needs an accuracy in [0, 1] at every logged step');
  if (rlvr && (rlvr.p0 <= 0 || rlvr.p0 >= 1)) {
    notes.push(`p₀ = ${rlvr.p0}: no tilt of π_ref moves a reference that is never (always) right, so p* = p₀; pass --p0 with the reference's accuracy`);
  }
  const lab = rlvr && options.beta !== undefined ? labPrediction(m.steps, R!, options.beta, rlvr.p0) : null;
  if (rlvr && options.beta === undefined) notes.push("the lab's matched run needs β: pass --beta (0 for a run without a reference KL)");

  // INTERFACE.md's fields first, in its order; the rest of the analysis after them.
  return {
    file,
    format: log.format,
    rows: log.rows.length,
    skipped: log.skipped.length,
    steps: m.steps,
    metrics,
    entropyAccuracyFit: fit,
    allTieFraction: dead?.allTieFraction ?? null,
    bernoulliGap: rlvr?.gap ?? null,
    library: m.library,
    sources,
    unmapped: m.unmapped,
    accuracy: acc?.source ?? null,
    shares: shares ? { ...shares, gainOf } : null,
    deadSignal: dead,
    rlvr,
    labPrediction: lab,
    klReading: kl,
    notes,
    skippedLines: log.skipped,
  };
}
