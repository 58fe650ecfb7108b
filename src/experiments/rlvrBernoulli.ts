import { z } from 'zod';
import { targetAccuracy } from '../analysis/rlvr.js';
import { referenceAccuracy, rlvrTrace, reasoningLogPartition } from '../ebm/rlvr.js';
import { replicatorTilt } from '../flows/tilt.js';
import { bernoulliKl } from '../numerics/divergences.js';
import { lineChart, type Row } from '../report/specs.js';
import { banditWorld, contextualWorld } from '../tasks/worlds.js';
import { TAN_HONG } from './refineInstances.js';
import { check, closeTo, type Experiment, type Verdict } from './types.js';

const configSchema = z
  .object({
    prompts: z.number().int().min(1).max(100_000),
    vocab: z.number().int().min(2).max(100_000),
    correctFraction: z.number().gt(0).lt(1),
    refScale: z.number().nonnegative(),
    seed: z.number().int(),
    beta: z.number().positive(),
    eta: z.number().positive(),
    steps: z.number().int().min(1).max(100_000),
    dt: z.number().positive().describe('RK4 step of the continuous flow'),
    horizon: z.number().positive().describe('time T of the continuous flow'),
  })
  .strict();
type Config = z.infer<typeof configSchema>;

const SRC = `${TAN_HONG}; SPEC F23–F25`;

const maxAbsDiff = (a: number[], b: number[]) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

export const rlvrBernoulli: Experiment<Config> = {
  id: 'rlvr-bernoulli',
  title: 'RLVR: the objective gap is a Bernoulli KL between accuracies',
  question:
    'With a 0/1 verifier, is the RLVR objective gap β·E_x KL(π_t‖π_reas) exactly β·E_x kl(p_t‖p*) along mirror descent and the continuous flow from π_ref — and only a lower bound once the start leaves the tilt family of π_ref?',
  source: SRC,
  claim:
    'Maximizing expected verifiable reward with a KL penalty is minimizing the expected KL to an optimal reasoning distribution π_ref·e^{r/β}, whose accuracy is p* = σ(logit p_ref + 1/β). Along the natural-gradient flow from the reference, the whole gap is the Bernoulli KL between the current and the target accuracy.',
  configSchema,
  sizes: {
    quick: { prompts: 32, vocab: 64, correctFraction: 0.1, refScale: 1.5, seed: 5, beta: 0.5, eta: 0.5, steps: 40, dt: 1e-2, horizon: 6 },
    full: { prompts: 128, vocab: 256, correctFraction: 0.05, refScale: 1.5, seed: 5, beta: 0.5, eta: 0.5, steps: 120, dt: 1e-3, horizon: 3 },
  },
  run(c, ctx) {
    const verdicts: Verdict[] = [];
    // SPEC's worked oracle (numbers printed in SPEC F25, not computed here).
    const binary = banditWorld({ kind: 'bandit', ref: [0.2, 0.8], reward: [1, 0] });
    const one = rlvrTrace(binary, 0.5, { kind: 'flow', dt: 1, steps: 1, method: 'closed' });
    const worked: [string, number, number][] = [
      ['p* = σ(logit p_ref + 1/β)', 0.6487856443, targetAccuracy(0.2, 0.5)],
      ['s_1 = (1 − e^{−β})/β', 0.7869386806, replicatorTilt(1, 0.5)],
      ['p_1 on the flow', 0.3544911177, one.accuracy[1]],
      ['KL(π_1‖π_reas) (from the policies)', 0.1786227703, one.gap[1] / 0.5],
      ['log Z_β = log(1 − p_ref + p_ref·e^{1/β})', 0.8232149906, reasoningLogPartition(0.2, 0.5)],
    ];
    for (const [what, want, got] of worked) verdicts.push(closeTo(`worked oracle (p_ref = 0.2, β = 0.5, t = 1): ${what}`, 'SPEC F25 worked oracle', want, got, 1e-9, true));

    const world = contextualWorld({ kind: 'contextual', prompts: c.prompts, vocab: c.vocab, correctFraction: c.correctFraction, refScale: c.refScale, seed: c.seed });
    const md = rlvrTrace(world, c.beta, { kind: 'mirror-descent', eta: c.eta, steps: c.steps });
    ctx.onProgress?.(1, 4);
    const flowSteps = Math.round(c.horizon / c.dt);
    const rk4 = rlvrTrace(world, c.beta, { kind: 'flow', dt: c.dt, steps: flowSteps, method: 'rk4' });
    const closed = rlvrTrace(world, c.beta, { kind: 'flow', dt: c.dt, steps: flowSteps, method: 'closed' });
    ctx.onProgress?.(2, 4);
    const off = rlvrTrace(world, c.beta, { kind: 'mirror-descent', eta: c.eta, steps: c.steps }, 'uniform');
    ctx.onProgress?.(3, 4);
    const where = `${c.prompts} prompts × ${c.vocab} completions`;
    verdicts.push(closeTo(`mirror descent from π_ref (ηβ = ${c.eta * c.beta}): β·E KL(π_k‖π_reas) = β·E kl(p_k‖p*) (max |difference|, ${where})`, `F25 ${SRC}`, 0, maxAbsDiff(md.gap, md.bernoulliGap), 1e-12));
    verdicts.push(closeTo('…because π_k stays the tilt π_ref·e^{s_k r}: max |logit p_k − logit p_ref − s_k| over prompts and steps', 'F12, F25', 0, Math.max(...md.logitShiftError!), 1e-9));
    verdicts.push(closeTo(`continuous flow by RK4 (dt = ${c.dt}): gap = Bernoulli gap (max |difference|)`, `F25 ${SRC}`, 0, maxAbsDiff(rk4.gap, rk4.bernoulliGap), 1e-8));
    verdicts.push(closeTo('…and its accuracy follows the closed form p_t = σ(logit p_ref + (1 − e^{−βt})/β) (max |difference|)', 'F25', 0, maxAbsDiff(rk4.accuracy, closed.accuracy), 1e-8));
    const f24 = Math.max(...[md, rk4, off].map((t) => Math.max(...t.objective.map((o, k) => Math.abs(o - (t.optimalObjective - t.gap[k]))))));
    verdicts.push(closeTo('objective = β·E log Z_β − β·E KL(π‖π_reas) for every iterate, on and off the tilt family (max |difference|)', `F24 ${SRC}`, 0, f24, 1e-12));
    // Off the family the slack decays like the squared distance to π_reas; compare only above rounding.
    const resolved = off.step.filter((k) => off.gap[k] > 1e-12);
    const minSlack = Math.min(...resolved.map((k) => off.gap[k] - off.bernoulliGap[k]));
    const tightest = Math.max(...resolved.map((k) => off.bernoulliGap[k] / off.gap[k]));
    verdicts.push(check(`from the uniform policy (off the tilt family) the Bernoulli gap is only a lower bound: β·E KL − β·E kl > 0 at every step with gap > 1e-12 (${resolved.length} steps; min difference)`, `F11 ${SRC}`, minSlack > 0, 0, minSlack));
    verdicts.push(check('…with the ratio Bernoulli gap / gap below 1 at every step (max ratio)', 'F11', tightest < 1, 1, tightest));
    const lastGap = md.gap[md.gap.length - 1];
    verdicts.push(check(`the gap vanishes along mirror descent (after ${c.steps} steps, < 1e-10)`, 'F6, F25', lastGap < 1e-10, 0, lastGap));
    ctx.onProgress?.(4, 4);

    const gapRows: Row[] = [];
    md.step.forEach((k) => {
      gapRows.push({ step: k, value: md.gap[k], curve: 'from π_ref: β·E KL' }, { step: k, value: md.bernoulliGap[k], curve: 'from π_ref: β·E kl' });
      gapRows.push({ step: k, value: off.gap[k], curve: 'from uniform: β·E KL' }, { step: k, value: off.bernoulliGap[k], curve: 'from uniform: β·E kl' });
    });
    let pStarMean = 0;
    for (let x = 0; x < world.prompts; x++) pStarMean += targetAccuracy(referenceAccuracy(world, x), c.beta) / world.prompts;
    const accRows: Row[] = md.step.map((k) => ({ step: k, accuracy: md.accuracy[k], start: 'π_ref' }));
    off.step.forEach((k) => accRows.push({ step: k, accuracy: off.accuracy[k], start: 'uniform' }));
    const kl0 = bernoulliKl(md.accuracy[0], pStarMean);
    return {
      verdicts,
      plots: [
        lineChart({ id: 'rlvr-gap', title: `Gap β·E KL(π_k‖π_reas) and Bernoulli gap β·E kl(p_k‖p*) along mirror descent (β = ${c.beta}, η = ${c.eta})`, rows: gapRows.filter((r) => (r.value as number) > 1e-16), x: 'step', y: 'value', series: 'curve', legendLabelLimit: 240, logY: true, yTitle: 'gap (log)' }),
        lineChart({ id: 'rlvr-accuracy', title: 'Mean accuracy E_x p_k toward E_x p*', rows: accRows, x: 'step', y: 'accuracy', series: 'start', legendLabelLimit: 240, yRules: [{ value: pStarMean, label: 'E_x p*' }] }),
      ],
      notes: [
        `Contextual world: ${where}, each completion correct with probability ${c.correctFraction}, reference logits ${c.refScale}·N(0,1); the RLVR objective is averaged over prompts.`,
        `Mean accuracy goes from ${md.accuracy[0].toPrecision(4)} (π_ref) toward E_x p* = ${pStarMean.toPrecision(4)}; kl between the two means = ${kl0.toPrecision(4)} (not the gap: the gap is the mean of per-prompt Bernoulli KLs).`,
      ],
    };
  },
};
