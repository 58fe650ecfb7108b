import { QrDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { analyzeLog } from '../../src/analysis/analyze.js';
import { bootstrapEntropyLaw, fitEntropyLaw, sharesByStep } from '../../src/analysis/entropyLaw.js';
import { bernoulliGap, rlvrView, targetAccuracy } from '../../src/analysis/rlvr.js';
import { equilibriumTable } from '../../src/equilibrium/equilibrium.js';
import { mirrorDescentFlow } from '../../src/flows/mirrorDescent.js';
import { parseLog } from '../../src/io/logs/index.js';
import { Rng } from '../../src/numerics/rng.js';
import { compileTask } from '../../src/tasks/worlds.js';
import { gaussian, mulberry32 } from '../support/random.js';

/**
 * Logs written from exact lab runs must give back the lab's own numbers (issue 10): the flow's
 * gap, the equilibrium's p*, the step size, and least-squares a, b computed a second way.
 */

/** A TRL trainer_state.json whose 0/1 reward is the flow's success (JSON keeps every double exactly). */
function trainerState(rows: Record<string, number>[]): string {
  return JSON.stringify({ global_step: rows.length, log_history: rows }, null, 2);
}

/** Least squares R ≈ b − a·e^H by Householder QR (ml-matrix), independent of fitEntropyLaw. */
function qrFit(H: number[], R: number[]): { a: number; b: number; r2: number } {
  const A = new Matrix(H.map((h) => [-Math.exp(h), 1]));
  const sol = new QrDecomposition(A).solve(Matrix.columnVector(R));
  const a = sol.get(0, 0);
  const b = sol.get(1, 0);
  const mean = R.reduce((s, v) => s + v, 0) / R.length;
  const sse = R.reduce((s, v, i) => s + (v - (b - a * Math.exp(H[i]))) ** 2, 0);
  const sst = R.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { a, b, r2: 1 - sse / sst };
}

describe('a log generated from an exact lab run (binary task, mirror descent with τ = β)', () => {
  const p = 0.2;
  const beta = 0.5;
  const eta = 0.3;
  const steps = 60;
  const world = compileTask({ kind: 'binary', p, delta: 1 });
  const trace = mirrorDescentFlow(world, { tau: beta, eta, steps });
  const text = trainerState(trace.step.map((k, i) => ({ step: k + 1, reward: trace.success[i], entropy: trace.entropy[i], kl: trace.refKl[i] })));
  const run = analyzeLog('exact.json', parseLog(text, 'exact.json'), { accuracy: ['reward'], beta });

  it('p* is the lab’s equilibrium success at τ = β (and F25’s worked value)', () => {
    const pStar = equilibriumTable(world, [beta]).success[0];
    expect(Math.abs(run.rlvr!.pStar! - pStar)).toBeLessThan(1e-12);
    expect(Math.abs(run.rlvr!.pStar! - 0.6487856443)).toBeLessThan(1e-9);
  });

  it('the Bernoulli gap β·kl(p_t‖p*) is the lab’s free-energy gap τ·KL(π_t‖π*) at every step (F25)', () => {
    expect(run.bernoulliGap).toHaveLength(steps + 1);
    run.bernoulliGap!.forEach((g, i) => expect(Math.abs(g - trace.freeEnergyGap[i])).toBeLessThan(1e-9));
  });

  it('a, b, R² are the least-squares solution computed by QR', () => {
    const want = qrFit(trace.entropy, trace.success);
    const fit = run.entropyAccuracyFit!;
    expect(fit.n).toBe(steps + 1);
    expect(Math.abs(fit.a - want.a)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want.a)));
    expect(Math.abs(fit.b - want.b)).toBeLessThan(1e-9 * Math.max(1, Math.abs(want.b)));
    expect(Math.abs(fit.r2 - want.r2)).toBeLessThan(1e-9);
    expect(fit.ceiling).toBe(fit.b - fit.a);
  });

  it('the matched lab run recovers η and reproduces the accuracy curve', () => {
    const lab = run.labPrediction!;
    expect(lab.task).toEqual({ kind: 'binary', p, delta: 1 });
    expect(Math.abs(lab.eta - eta) / eta).toBeLessThan(1e-6);
    expect(lab.rmse).toBeLessThan(1e-8);
    expect(lab.steps[0]).toBe(1);
    lab.accuracy.forEach((a, i) => expect(Math.abs(a - trace.success[i])).toBeLessThan(1e-8));
  });

  it('TRL’s `kl` reads as a k3-in-the-loss reference KL, which does not target π*_β', () => {
    expect(run.klReading.map((k) => [k.key, k.metric, k.targetsGibbs])).toEqual([['kl', 'kl_ref', 'no']]);
    expect(run.metrics.kl_ref).toEqual(trace.refKl);
  });
});

describe('β = 0: the bare-reward flow', () => {
  const world = compileTask({ kind: 'binary', p: 0.3, delta: 1 });
  const eta = 0.05;
  const trace = mirrorDescentFlow(world, { tau: 1, eta, steps: 80, bareReward: true });
  const text = trainerState(trace.step.map((k, i) => ({ step: 10 + k, reward: trace.success[i], entropy: trace.entropy[i] })));
  const run = analyzeLog('bare.json', parseLog(text, 'bare.json'), { accuracy: ['reward'], beta: 0 });

  it('says there is no p* at β = 0 and shows p* over a range of β instead', () => {
    expect(run.rlvr!.pStar).toBeNull();
    expect(run.bernoulliGap).toBeNull();
    expect(run.rlvr!.note).toMatch(/β = 0/);
    for (const { beta, pStar } of run.rlvr!.pStarByBeta) {
      // F23's closed form p* = p·e^{1/β} / (p·e^{1/β} + 1 − p).
      const w = 0.3 * Math.exp(1 / beta);
      expect(Math.abs(pStar - w / (w + 0.7))).toBeLessThan(1e-12);
    }
  });

  it('the matched run moves the logit by η per step: η recovered, curve reproduced', () => {
    const lab = run.labPrediction!;
    expect(Math.abs(lab.eta - eta) / eta).toBeLessThan(1e-6);
    expect(lab.steps[0]).toBe(10);
    lab.accuracy.forEach((a, i) => expect(Math.abs(a - trace.success[i])).toBeLessThan(1e-8));
  });

  it('no reference KL in the log: a note says TRL omits it when β = 0', () => {
    expect(run.klReading).toEqual([]);
    expect(run.notes.join(' ')).toMatch(/TRL logs kl only when β ≠ 0/);
  });
});

describe('the entropy–accuracy law R = −a·e^H + b (F27)', () => {
  it('a log whose accuracy follows the law exactly gives back a, b, R² = 1 and zero residuals', () => {
    const trace = mirrorDescentFlow(compileTask({ kind: 'binary', p: 0.1, delta: 1 }), { tau: 0.2, eta: 0.5, steps: 40 });
    const [a, b] = [0.37, 1.05];
    const acc = trace.entropy.map((h) => b - a * Math.exp(h));
    const text = trainerState(trace.step.map((k, i) => ({ step: k, reward: acc[i], entropy: trace.entropy[i] })));
    const fit = analyzeLog('law.json', parseLog(text, 'law.json'), { accuracy: ['reward'] }).entropyAccuracyFit!;
    expect(Math.abs(fit.a - a)).toBeLessThan(1e-9);
    expect(Math.abs(fit.b - b)).toBeLessThan(1e-9);
    expect(Math.abs(fit.ceiling - (b - a))).toBeLessThan(1e-9);
    expect(1 - fit.r2).toBeLessThan(1e-12);
    fit.residuals.forEach((r) => expect(Math.abs(r)).toBeLessThan(1e-12));
    // Every resample of exact data fits the same line: the intervals collapse onto it.
    expect(fit.intervals!.a.hi - fit.intervals!.a.lo).toBeLessThan(1e-9);
    expect(Math.abs(fit.intervals!.ceiling.lo - (b - a))).toBeLessThan(1e-9);
  });

  it('matches the QR solution on random noisy data', () => {
    const u = mulberry32(7);
    for (let t = 0; t < 20; t++) {
      const n = 5 + Math.floor(u() * 60);
      const H = Array.from({ length: n }, () => 2 * u());
      const R = H.map((h) => 0.9 - 0.2 * Math.exp(h) + 0.05 * gaussian(u));
      const fit = fitEntropyLaw(H, R)!;
      const want = qrFit(H, R);
      expect(Math.abs(fit.a - want.a)).toBeLessThan(1e-10 * Math.max(1, Math.abs(want.a)));
      expect(Math.abs(fit.b - want.b)).toBeLessThan(1e-10 * Math.max(1, Math.abs(want.b)));
      expect(Math.abs(fit.r2 - want.r2)).toBeLessThan(1e-10);
    }
  });

  it('refuses fewer than 3 points and a constant entropy', () => {
    expect(fitEntropyLaw([0.1, 0.2], [0.5, 0.6])).toBeNull();
    expect(fitEntropyLaw([0.3, 0.3, 0.3, 0.3], [0.1, 0.2, 0.3, 0.4])).toBeNull();
  });

  it('bootstrap: the seed decides the intervals; they bracket the estimate and widen with noise', () => {
    const u = mulberry32(3);
    const H = Array.from({ length: 80 }, (_, i) => 1.5 - i / 80);
    const noisy = (s: number) => H.map((h) => 1 - 0.3 * Math.exp(h) + s * gaussian(u));
    const R = noisy(0.02);
    const one = bootstrapEntropyLaw(H, R, Rng.fromSeed(1), 400)!;
    expect(bootstrapEntropyLaw(H, R, Rng.fromSeed(1), 400)).toEqual(one);
    expect(bootstrapEntropyLaw(H, R, Rng.fromSeed(2), 400)).not.toEqual(one);
    const fit = fitEntropyLaw(H, R)!;
    expect(one.a.lo).toBeLessThan(fit.a);
    expect(one.a.hi).toBeGreaterThan(fit.a);
    expect(one.block).toBe(4); // round(80^{1/3})
    const wide = bootstrapEntropyLaw(H, noisy(0.2), Rng.fromSeed(1), 400)!;
    expect(wide.a.hi - wide.a.lo).toBeGreaterThan(one.a.hi - one.a.lo);
  });

  it('shares by step N on linear curves: the fraction of the way from first to last', () => {
    const steps = Array.from({ length: 401 }, (_, i) => i);
    const H = steps.map((t) => 2 - 0.005 * t);
    const R = steps.map((t) => 0.1 + 0.002 * t);
    const s = sharesByStep(steps, H, R, 100)!;
    expect(s.atStep).toBe(100);
    expect(Math.abs(s.entropyConsumed - 0.25)).toBeLessThan(1e-12);
    expect(Math.abs(s.gainAchieved - 0.25)).toBeLessThan(1e-12);
    expect(sharesByStep(steps, H, R, 400)).toBeNull();
  });
});

describe('the RLVR view (F23–F25)', () => {
  it('F25 worked oracle: p_ref = 0.2, β = 0.5, t = 1', () => {
    expect(Math.abs(targetAccuracy(0.2, 0.5) - 0.6487856443)).toBeLessThan(1e-10);
    const [g] = bernoulliGap([0.3544911177], 0.2, 0.5);
    expect(Math.abs(g - 0.5 * 0.1786227703)).toBeLessThan(1e-9);
  });

  it('a reference that is never right stays so; tiny β does not overflow', () => {
    expect(targetAccuracy(0, 0.1)).toBe(0);
    expect(targetAccuracy(1, 0.1)).toBe(1);
    expect(targetAccuracy(0.3, 1e-4)).toBe(1);
    expect(bernoulliGap([0, 0.5], 0, 0.1)).toEqual([0, Infinity]);
  });

  it('a p* that rounds to 1 in float64 (β = 0.01) still gives a finite, exact gap', () => {
    // p* = σ(L), L = logit 0.9 + 100: kl(p‖p*) = −h(p) − p·log p* − (1−p)·log(1−p*) with
    // log p* = −softplus(−L) and log(1−p*) = −softplus(L) = −L − log(1 + e^{−L}), so
    // kl = −h(p) + (1−p)·L + e^{−L} to first order in e^{−L} ≈ 4e−45.
    const beta = 0.01;
    const L = Math.log(9) + 100;
    const p = 0.8;
    const h = -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    const [g] = bernoulliGap([p], 0.9, beta);
    expect(Math.abs(g - beta * (-h + (1 - p) * L + Math.exp(-L)))).toBeLessThan(1e-12);
  });

  it('--p0 replaces the first logged accuracy; accuracies outside [0, 1] give no view', () => {
    const v = rlvrView([1, 2, 3], [0.5, 0.6, 0.7], 1, 0.25)!;
    expect(v.p0).toBe(0.25);
    expect(Math.abs(v.pStar! - targetAccuracy(0.25, 1))).toBe(0);
    expect(rlvrView([1, 2], [0.5, 1.5], 1)).toBeNull();
  });
});
