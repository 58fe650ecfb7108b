import { z } from 'zod';
import { spanOfDifference } from '../numerics/span.js';
import { gibbsLogPolicy } from '../equilibrium/equilibrium.js';
import { mirrorDescentFlow } from '../flows/mirrorDescent.js';
import { replicatorFlow } from '../flows/replicator.js';
import { lineChart, type Row } from '../report/specs.js';
import { randomBandit } from './instances.js';
import { closeTo, check, type Experiment, type Verdict } from './types.js';

const SRC = 'Barmaz 2026 §9; SPEC F7, F9';

const configSchema = z
  .object({
    actions: z.number().int().min(2).max(100_000),
    tau: z.number().positive(),
    horizon: z.number().positive().describe('time T of the flow'),
    dt: z.number().positive().describe('RK4 step'),
    etas: z.array(z.number().positive()).min(2).describe('mirror-descent step sizes compared with the flow, decreasing'),
    seed: z.number().int(),
  })
  .strict();
type Config = z.infer<typeof configSchema>;


function maxAbsDiff(a: number[], b: number[]): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export const replicator: Experiment<Config> = {
  id: 'replicator',
  title: 'The continuous replicator flow and its discretization',
  question: 'Does the replicator ODE with KL-shaped fitness follow its closed form log π_t = e^{−τt} log π_0 + (1 − e^{−τt}) log π*, and is mirror descent its first-order discretization ((1−ητ)^{t/η} → e^{−τt})?',
  source: SRC,
  claim:
    'As the step size goes to zero, mirror descent becomes the replicator equation with fitness r − τ·log(π/π_ref). Its solution is the same geometric mixture as the discrete iterates, with the weight (1−ητ)^k replaced by e^{−τt}; the discrete path approaches the continuous one at first order in η.',
  configSchema,
  sizes: {
    quick: { actions: 10, tau: 1, horizon: 3, dt: 1e-2, etas: [0.2, 0.1, 0.05], seed: 2 },
    full: { actions: 50, tau: 1, horizon: 5, dt: 1e-3, etas: [0.2, 0.1, 0.05, 0.025, 0.0125], seed: 2 },
  },
  run(c) {
    const world = randomBandit(c.actions, c.seed);
    const steps = Math.round(c.horizon / c.dt);
    const rk4 = replicatorFlow(world, { tau: c.tau, dt: c.dt, steps, method: 'rk4' });
    const closed = replicatorFlow(world, { tau: c.tau, dt: c.dt, steps, method: 'closed' });
    const verdicts: Verdict[] = [];
    const rk4Err = Math.max(maxAbsDiff(rk4.finalPolicy!, closed.finalPolicy!), maxAbsDiff(rk4.klToGibbs, closed.klToGibbs));
    verdicts.push(closeTo(`RK4 (dt = ${c.dt}) matches the closed form (max abs difference in π_T and in the KL path)`, 'F7', 0, rk4Err, 1e-8));
    // The error log π_t − log π* shrinks by exactly e^{−τt} in span (F7), measured on the RK4 path.
    const logStar = gibbsLogPolicy(world, c.tau);
    const spanRatio = spanOfDifference(Float64Array.from(rk4.finalPolicy!, Math.log), logStar) / spanOfDifference(world.logRef, logStar);
    verdicts.push(closeTo('the span of log π_t − log π* shrinks by exactly e^{−τt} (RK4 path at T)', 'F7', Math.exp(-c.tau * c.horizon), spanRatio, 1e-7, true));

    // Discretization: MD with step η at k = T/η vs the flow at T; the error is first order in η.
    const rows: Row[] = closed.time!.map((t, i) => ({ time: t, klToGibbs: closed.klToGibbs[i], path: 'continuous flow' }));
    const errs: number[] = [];
    for (const eta of c.etas) {
      const k = Math.round(c.horizon / eta);
      const md = mirrorDescentFlow(world, { tau: c.tau, eta, steps: k });
      md.klToGibbs.forEach((v, i) => rows.push({ time: i * eta, klToGibbs: v, path: `MD η = ${eta}` }));
      errs.push(maxAbsDiff(md.finalPolicy!, closed.finalPolicy!));
      const weight = (1 - eta * c.tau) ** k;
      verdicts.push(closeTo(`(1−ητ)^{T/η} → e^{−τT} at η = ${eta} (relative gap, bounded by τ²Tη/2 to first order)`, 'F7', Math.exp(-c.tau * c.horizon), weight, 1.2 * (c.tau * c.tau * c.horizon * eta) / 2, true));
    }
    const orders = errs.slice(1).map((e, i) => Math.log2(errs[i] / e));
    verdicts.push(
      check('mirror descent converges to the flow at first order: halving η halves the error (observed order ≈ 1)', 'F7',
        orders.every((o) => Math.abs(o - 1) < 0.2), 1, orders[orders.length - 1], 0.2),
    );
    return {
      verdicts,
      plots: [lineChart({ id: 'replicator-kl', title: 'KL(π_t‖π*): the flow and mirror descent at decreasing η', rows: rows.filter((r) => (r.klToGibbs as number) > 0), x: 'time', y: 'klToGibbs', series: 'path', logY: true, xTitle: 'time t (= k·η)', yTitle: 'KL to Gibbs (log)' })],
      tables: [{ title: 'Discretization error at time T', columns: ['η', 'max |π_MD − π_flow|', 'observed order'], rows: c.etas.map((eta, i) => [eta, errs[i], i === 0 ? null : orders[i - 1]]) }],
    };
  },
};
