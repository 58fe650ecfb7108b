import { centredGibbsBonus } from '../equilibrium/sequence.js';
import type { BanditWorld, SequenceWorld, World } from '../tasks/worlds.js';
import { mirrorDescentClosedForm } from './mirrorDescent.js';
import {
  BanditRecorder,
  SequenceRecorder,
  arcWeightsAt,
  banditStart,
  normalizeRows,
  sequenceStartDeviation,
  type FlowStart,
  type FlowTrace,
} from './trace.js';

/**
 * The continuous replicator flow with KL-shaped fitness (F7, F9):
 *   d/dt log π_t = g_t − E_{π_t}[g_t],   g_t = r − τ·log(π_t/π_ref),
 * the η → 0 limit of mirror descent. Closed form (F7): log π_t = e^{−τt}·log π_0 + (1 − e^{−τt})·log π*_τ.
 * `method: 'rk4'` integrates the ODE with classical Runge–Kutta; `'closed'` evaluates the closed form.
 * Entry k of the trace is at time k·dt.
 */
export interface ReplicatorOptions {
  tau: number;
  dt: number;
  steps: number;
  from?: FlowStart;
  method?: 'rk4' | 'closed';
}

/** d/dt log π on one row: g − E_π[g] (entries outside the reference support stay at −∞). */
function replicatorVelocity(logPi: Float64Array, logRef: Float64Array, reward: Float64Array, tau: number, out: Float64Array, from: number, to: number): void {
  let mean = 0;
  for (let i = from; i < to; i++) {
    const lp = logPi[i];
    if (lp === -Infinity || logRef[i] === -Infinity) {
      out[i] = 0;
      continue;
    }
    const g = reward[i] - tau * (lp - logRef[i]);
    out[i] = g;
    mean += Math.exp(lp) * g;
  }
  for (let i = from; i < to; i++) if (logPi[i] !== -Infinity && logRef[i] !== -Infinity) out[i] -= mean;
}

function banditReplicator(world: BanditWorld, o: ReplicatorOptions): FlowTrace {
  const rec = new BanditRecorder(world, o.tau);
  const P = world.prompts;
  const V = world.actions;
  const n = P * V;
  const logPi0 = banditStart(world, o.from ?? 'ref');
  // π_0 outside the reference support: the flow sends it to 0 instantly; start on the support.
  for (let i = 0; i < n; i++) if (world.logRef[i] === -Infinity) logPi0[i] = -Infinity;
  normalizeRows(logPi0, P, V);
  const logPi = Float64Array.from(logPi0);
  rec.record(0, logPi, 0);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  const velocity = (state: Float64Array, out: Float64Array) => {
    for (let x = 0; x < P; x++) replicatorVelocity(state, world.logRef, world.reward, o.tau, out, x * V, (x + 1) * V);
  };
  const h = o.dt;
  for (let k = 1; k <= o.steps; k++) {
    if (o.method === 'closed') {
      mirrorDescentClosedForm(logPi0, rec.logStar, Math.exp(-o.tau * k * h), logPi, P, V);
    } else {
      velocity(logPi, k1);
      for (let i = 0; i < n; i++) tmp[i] = logPi[i] + 0.5 * h * k1[i];
      normalizeRows(tmp, P, V);
      velocity(tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = logPi[i] + 0.5 * h * k2[i];
      normalizeRows(tmp, P, V);
      velocity(tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = logPi[i] + h * k3[i];
      normalizeRows(tmp, P, V);
      velocity(tmp, k4);
      for (let i = 0; i < n; i++) logPi[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
      normalizeRows(logPi, P, V);
    }
    rec.record(k, logPi, k * h);
  }
  return rec.finish(logPi);
}

/**
 * On a sequence world the flow is the closed form in (log w, b); RK4 integrates
 * d/dt(log w − log π_ref, b) = −τ·(log w − log π_ref, b − r/τ), whose RK4 step is a scalar factor.
 */
function sequenceReplicator(world: SequenceWorld, o: ReplicatorOptions): FlowTrace {
  const rec = new SequenceRecorder(world, o.tau);
  const { logw0, dw0 } = sequenceStartDeviation(world, o.from ?? 'ref');
  const logw = new Float64Array(logw0.length);
  const bonus = new Float64Array(world.states);
  const target = centredGibbsBonus(world, o.tau);
  rec.record(0, logw0, bonus, 0);
  // The linear ODE x' = −τ(x − x*) has the RK4 step factor below (exact up to O((τh)^5)).
  const th = o.tau * o.dt;
  const rk4Factor = 1 - th + (th * th) / 2 - (th * th * th) / 6 + (th * th * th * th) / 24;
  for (let k = 1; k <= o.steps; k++) {
    const w0 = o.method === 'closed' ? Math.exp(-o.tau * k * o.dt) : rk4Factor ** k;
    for (let s = 0; s < bonus.length; s++) bonus[s] = (1 - w0) * target[s];
    rec.record(k, arcWeightsAt(world, dw0, w0, logw), bonus, k * o.dt);
  }
  return rec.trace;
}

export function replicatorFlow(world: World, options: ReplicatorOptions): FlowTrace {
  return world.type === 'bandit' ? banditReplicator(world, options) : sequenceReplicator(world, options);
}
