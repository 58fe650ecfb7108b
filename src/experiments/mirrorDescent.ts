import { z } from 'zod';
import { spanOfDifference } from '../numerics/span.js';
import { gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { mirrorDescentClosedForm, mirrorDescentFlow, mirrorDescentStepRow } from '../flows/mirrorDescent.js';
import { lineChart, type Row } from '../report/specs.js';
import { randomBandit } from './instances.js';
import { check, closeTo, type Experiment, type Verdict } from './types.js';

const SRC = 'Barmaz 2026 §§3–5; SPEC F4–F6';

const configSchema = z
  .object({
    actions: z.number().int().min(2).max(1_000_000),
    tau: z.number().positive(),
    etaTaus: z.array(z.number().positive()).min(1).describe('values of ητ to run'),
    steps: z.number().int().min(2).max(100_000),
    seed: z.number().int(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;


export const mirrorDescent: Experiment<Config> = {
  id: 'mirror-descent',
  title: 'Entropic mirror descent on the free energy',
  question: 'Does mirror descent with the KL-shaped advantage contract to π*_τ at rate |1−ητ| per step, land in one step at ητ = 1, oscillate for 1 < ητ < 2 and diverge beyond — and does the bare reward lead to argmax r instead?',
  source: SRC,
  claim:
    'With the advantage r − τ·log(π/π_ref), one mirror-descent step is a geometric mixture of the current policy and the Gibbs target with weight c = 1 − ητ on the current one, so the log-policy error shrinks by exactly |c| per step. The reference KL sets the target, the proximal KL only the step; dropping τ from the advantage makes the iteration chase argmax r.',
  configSchema,
  sizes: {
    quick: { actions: 12, tau: 0.5, etaTaus: [0.3, 1, 1.5, 2.2], steps: 40, seed: 1 },
    full: { actions: 64, tau: 0.5, etaTaus: [0.1, 0.3, 0.6, 1, 1.3, 1.7, 1.95, 2.2], steps: 200, seed: 1 },
  },
  run(c) {
    const world = randomBandit(c.actions, c.seed);
    const logStar = gibbsLogPolicy(world, c.tau);
    const verdicts: Verdict[] = [];
    const klRows: Row[] = [];
    for (const et of c.etaTaus) {
      const eta = et / c.tau;
      const cc = 1 - et;
      // Iterate and measure the span ratio per step, while the error is above rounding.
      let logPi = Float64Array.from(world.logRef);
      const closed = new Float64Array(c.actions);
      let worstRatioErr = 0;
      let worstClosedErr = 0;
      let flips = 0;
      let flipChances = 0;
      let prevSign = 0;
      let span0 = spanOfDifference(logPi, logStar);
      const spans: number[] = [span0];
      const kls: number[] = [];
      for (let k = 1; k <= c.steps; k++) {
        const next = new Float64Array(c.actions);
        mirrorDescentStepRow(logPi, world.logRef, world.reward, c.tau, eta, next);
        const s = spanOfDifference(next, logStar);
        if (span0 > 1e-6 && s < 1e12) worstRatioErr = Math.max(worstRatioErr, Math.abs(s / span0 - Math.abs(cc)));
        mirrorDescentClosedForm(world.logRef, logStar, cc ** k, closed, 1, c.actions);
        if (s < 1e6) for (let i = 0; i < c.actions; i++) worstClosedErr = Math.max(worstClosedErr, Math.abs(closed[i] - next[i]));
        // Sign of the centred error on the first action: flips every step iff c < 0.
        const e0 = next[0] - logStar[0] - (next[1] - logStar[1]);
        const sign = Math.sign(e0);
        if (prevSign !== 0 && sign !== 0 && span0 > 1e-6) {
          flipChances++;
          if (sign !== prevSign) flips++;
        }
        prevSign = sign;
        span0 = s;
        spans.push(s);
        logPi = next;
      }
      const trace = mirrorDescentFlow(world, { tau: c.tau, eta, steps: c.steps, method: 'iterate' });
      trace.klToGibbs.forEach((v, k) => kls.push(v));
      trace.klToGibbs.forEach((v, k) => klRows.push({ step: k, klToGibbs: v, series: `ητ = ${et}` }));
      const label = `ητ = ${et}`;
      if (et < 2) {
        verdicts.push(closeTo(`${label}: span of log π_k − log π* contracts by exactly |1−ητ| each step (max deviation)`, 'F6', 0, worstRatioErr, 1e-6));
        verdicts.push(closeTo(`${label}: iterates equal the closed form π_0^{c^k}·π*^{1−c^k} (max |Δ log π|)`, 'F6', 0, worstClosedErr, 1e-9));
      }
      if (et === 1) verdicts.push(closeTo('ητ = 1 lands on π*_τ in one step: KL(π_1‖π*)', 'F6', 0, kls[1], 1e-14));
      if (et > 1 && et < 2) verdicts.push(closeTo(`${label}: the error flips sign at every step (fraction of flips)`, 'F6', 1, flipChances ? flips / flipChances : 0, 0));
      if (et > 2) verdicts.push(check(`${label}: diverges — the span grows by |1−ητ| > 1 per step`, 'F6', spans[5] > spans[0] * Math.abs(cc) ** 5 * 0.99, Math.abs(cc) ** 5, spans[5] / spans[0]));
      // KL ≈ ½·Var(error) holds once the error has shrunk by ~100 (c^k ≤ 0.01), and while KL is above rounding.
      const kAsymptotic = Math.ceil(Math.log(0.01) / Math.log(Math.abs(cc)));
      if (et < 1 && kAsymptotic < kls.length && kls[kAsymptotic] > 1e-20) {
        verdicts.push(closeTo(`${label}: asymptotic KL ratio KL_{k+1}/KL_k → c² (at k = ${kAsymptotic}, where c^k ≤ 0.01)`, 'F6', cc * cc, kls[kAsymptotic] / kls[kAsymptotic - 1], 1e-2, true));
      }
      if (et < 2) verdicts.push(closeTo(`${label}: free-energy gap = τ·KL(π_k‖π*) (F2, max abs difference)`, 'F2', 0, Math.max(...trace.freeEnergyGap.map((g, k) => Math.abs(g - c.tau * trace.klToGibbs[k]))), 1e-12));
    }
    // Bare reward (τ dropped from the advantage): heads to argmax r.
    const eta = 1 / c.tau;
    const bare = mirrorDescentFlow(world, { tau: c.tau, eta, steps: c.steps, bareReward: true });
    const shaped = mirrorDescentFlow(world, { tau: c.tau, eta: 0.5 / c.tau, steps: c.steps });
    const last = c.steps;
    // The bare-reward iterate is π_ref·e^{ηk·r}: success rises toward 1 without bound in k, so
    // with a finite budget the verdict is the direction (monotone, past the Gibbs success), not the limit.
    const rising = bare.success.every((v, k) => k === 0 || v >= bare.success[k - 1] - 1e-15);
    verdicts.push(
      check('bare-reward advantage: success rises monotonically past the Gibbs success toward argmax r', 'F4',
        rising && bare.success[last] > shaped.success[last], shaped.success[last], bare.success[last]),
    );
    verdicts.push(check('bare-reward advantage: the KL to π*_τ does not go to 0', 'F4', bare.klToGibbs[last] > 1e-3, null, bare.klToGibbs[last]));
    verdicts.push(closeTo('KL-shaped advantage: KL(π_k‖π*_τ) → 0', 'F4', 0, shaped.klToGibbs[last], 1e-10));
    const successRows: Row[] = [
      ...bare.success.map((v, k) => ({ step: k, success: v, advantage: 'bare reward r' })),
      ...shaped.success.map((v, k) => ({ step: k, success: v, advantage: 'r − τ log(π/π_ref)' })),
    ];
    return {
      verdicts,
      plots: [
        lineChart({ id: 'md-kl', title: 'KL(π_k‖π*_τ) along mirror descent, by ητ', rows: klRows.filter((r) => (r.klToGibbs as number) > 1e-30), x: 'step', y: 'klToGibbs', series: 'series', logY: true, yTitle: 'KL to Gibbs (log)' }),
        lineChart({ id: 'md-bare', title: 'Success: bare reward vs KL-shaped advantage', rows: successRows, x: 'step', y: 'success', series: 'advantage', yRules: [{ value: shaped.success[last], label: 'Gibbs success' }] }),
      ],
      notes: [`Random bandit with ${c.actions} actions (seed ${c.seed}), τ = ${c.tau}.`],
    };
  },
};
