import { exactAdvantages, observables, occupancy, policyKl, type PolicyObservables } from '../policies/evaluate.js';
import { gibbsTarget } from '../policies/gibbs.js';
import type { TabularPolicy } from '../policies/tabular.js';
import type { World } from '../tasks/worlds.js';
import { klShapedGain, proximalStep } from './mirror.js';

/**
 * Per-step exact diagnostics of an optimizer trajectory against the ideal flow (F41, ANCHORS §4.4).
 * Entry k describes π_k; the per-update quantities at k describe the update π_{k−1} → π_k (null at
 * k = 0), and the batch statistics the batch drawn from π_k (null at the last step). Every number
 * is exact (computed from the tabular policies) except the batch statistics, which are what the
 * optimizer itself sees (exact expectations under --exact).
 */
export interface LadderTrace {
  step: number[];
  /** KL(π_k‖π*_β) (sequence-level for sequence worlds, mean over prompts for contextual). */
  klToGibbs: number[];
  /** F_β(π_k) − F_β(π*_β) = β·KL(π_k‖π*_β) (F2); at β = 0, r_max − E[r]. */
  freeEnergyGap: number[];
  success: number[];
  expectedReward: number[];
  entropy: number[];
  /** Exact KL(π_k‖π_ref). */
  refKl: number[];
  /** The estimator's value on the batch drawn from π_k (sum over a completion's tokens, mean over completions); null at the last step. */
  refKlEstimate: number[];
  /** KL(π_k‖π_{k−1}): the proximal term of mirror descent (F5). */
  proximalKl: number[];
  /** KL(π_{k−1}‖π_k): TRPO's constraint. */
  proximalKlReverse: number[];
  /** Cosine in the Fisher metric at π_{k−1} between the realized logit update and the exact mirror-descent update with η = lr (both centred under π_{k−1}). */
  alignment: number[];
  /** Exact H(π_k) − H(π_{k−1}). */
  entropyChange: number[];
  /** First-order prediction −Cov_π(log π, Δz) (F28), at completion level for sequence worlds. */
  entropyChangePredicted: number[];
  /** F29 (vanilla PG): the first-order change of the step Δz = η·∇J = η·w·π·A from π_{k−1}, η = lr, A the exact advantage of the KL-shaped gain. */
  entropyChangePredictedPg: number[];
  /** F30 (NPG): the same with Δz = η·A, i.e. −η·Cov_π(log π, A) per state. */
  entropyChangePredictedNpg: number[];
  /** Entropy bonus α the update applied (after schedule or adaptive gate); null when no bonus is on. */
  entropyCoef: number[];
  /** Fraction of the update's tokens (mass in exact mode) a covariance control selected; null when none is on. */
  covSelected: number[];
  /** Fraction of the groups drawn from π_k whose task rewards all tie; null at the last step. */
  allTieFraction: number[];
  clipFraction: number[];
  clipFractionLower: number[];
}

/** What an optimizer reports per step besides the policy change (NaN where it does not apply). */
export interface SampledStats {
  /** Batch mean of the configured estimator's value, summed over a completion's tokens (exact mode: its expectation). */
  refKlEstimate: number;
  /** Fraction of groups whose task rewards all tie (before dynamic sampling; exact mode: the probability). */
  allTieFraction: number;
  /** verl `pg_clipfrac` and `pg_clipfrac_lower`, averaged over the step's updates. */
  clipFraction: number;
  clipFractionLower: number;
  /** The entropy controls (src/optimizers/controls.ts): α applied, and the fraction of tokens Clip-Cov/KL-Cov selected. */
  entropyCoef: number;
  covSelected: number;
}

export class LadderRecorder {
  readonly trace: LadderTrace = {
    step: [],
    klToGibbs: [],
    freeEnergyGap: [],
    success: [],
    expectedReward: [],
    entropy: [],
    refKl: [],
    refKlEstimate: [],
    proximalKl: [],
    proximalKlReverse: [],
    alignment: [],
    entropyChange: [],
    entropyChangePredicted: [],
    entropyChangePredictedPg: [],
    entropyChangePredictedNpg: [],
    entropyCoef: [],
    covSelected: [],
    allTieFraction: [],
    clipFraction: [],
    clipFractionLower: [],
  };
  /** log π*_β per token in the policy layout. */
  readonly target: Float64Array;
  private weights: Float64Array;
  private prevWeights: Float64Array;
  private prevObs: PolicyObservables | null = null;
  private readonly gain: Float64Array;
  private readonly mdLogp: Float64Array;
  private readonly rowScratch: Float64Array;
  private readonly advantage: Float64Array;
  private readonly stepLogp: Float64Array;
  /** Per-row maximal reward (the β = 0 free-energy gap). */
  private readonly rowMax: number;

  constructor(
    world: World,
    private readonly beta: number,
    /** η of the reference mirror-descent step. */
    private readonly eta: number,
    policy: TabularPolicy,
  ) {
    const layout = policy.layout;
    this.target = gibbsTarget(world, layout, beta);
    this.weights = new Float64Array(layout.rows);
    this.prevWeights = new Float64Array(layout.rows);
    this.gain = new Float64Array(layout.entries);
    this.mdLogp = new Float64Array(layout.entries);
    this.rowScratch = new Float64Array(layout.rows);
    this.advantage = new Float64Array(layout.entries);
    this.stepLogp = new Float64Array(layout.entries);
    this.rowMax = maxRewardMean(world);
  }

  /**
   * Prepares the update from `prev` (call before the optimizer changes it): computes the exact
   * mirror-descent reference step from π_{k−1}.
   */
  before(prev: TabularPolicy): void {
    proximalStep(prev, klShapedGain(prev, this.beta, this.gain), this.eta, this.mdLogp, this.rowScratch);
  }

  /** Records π_k; `prev` is π_{k−1} (null at k = 0) and `stats` what the update reported. */
  record(step: number, cur: TabularPolicy, prev: TabularPolicy | null, stats: SampledStats | null): void {
    [this.prevWeights, this.weights] = [this.weights, this.prevWeights];
    occupancy(cur, this.weights);
    const obs = observables(cur, this.weights);
    const kl = policyKl(cur, this.target, this.weights);
    const t = this.trace;
    t.step.push(step);
    t.klToGibbs.push(kl);
    t.freeEnergyGap.push(this.beta > 0 ? this.beta * kl : this.rowMax - obs.expectedReward);
    t.success.push(obs.success);
    t.expectedReward.push(obs.expectedReward);
    t.entropy.push(obs.entropy);
    t.refKl.push(obs.refKl);
    // The batch statistics describe the policy the batch was drawn from: entry k − 1.
    t.refKlEstimate.push(NaN);
    t.allTieFraction.push(NaN);
    if (prev === null || stats === null || this.prevObs === null) {
      for (const a of [
        t.proximalKl,
        t.proximalKlReverse,
        t.alignment,
        t.entropyChange,
        t.entropyChangePredicted,
        t.entropyChangePredictedPg,
        t.entropyChangePredictedNpg,
        t.entropyCoef,
        t.covSelected,
        t.clipFraction,
        t.clipFractionLower,
      ])
        a.push(NaN);
    } else {
      t.refKlEstimate[t.step.length - 2] = stats.refKlEstimate;
      t.allTieFraction[t.step.length - 2] = stats.allTieFraction;
      t.proximalKl.push(policyKl(cur, prev.logp, this.weights));
      t.proximalKlReverse.push(policyKl(prev, cur.logp, this.prevWeights));
      t.alignment.push(fisherCosine(prev, this.prevWeights, cur.logp, this.mdLogp));
      t.entropyChange.push(obs.entropy - this.prevObs.entropy);
      t.entropyChangePredicted.push(predictedEntropyChange(prev, this.prevWeights, cur.logp, this.rowScratch));
      // `before` left π_{k−1}'s KL-shaped gain in this.gain.
      const forms = entropyChangeForms(prev, this.prevWeights, this.gain, this.eta, { advantage: this.advantage, logp: this.stepLogp, rows: this.rowScratch });
      t.entropyChangePredictedPg.push(forms.pg);
      t.entropyChangePredictedNpg.push(forms.npg);
      t.entropyCoef.push(stats.entropyCoef);
      t.covSelected.push(stats.covSelected);
      t.clipFraction.push(stats.clipFraction);
      t.clipFractionLower.push(stats.clipFractionLower);
    }
    this.prevObs = obs;
  }
}

/** Mean over prompts of the maximal reward on the reference support: −F_0(π*_0). */
function maxRewardMean(world: World): number {
  if (world.type === 'sequence') return world.maxReward;
  const V = world.actions;
  let sum = 0;
  for (let x = 0; x < world.prompts; x++) {
    let m = -Infinity;
    for (let i = x * V; i < (x + 1) * V; i++) if (world.logRef[i] !== -Infinity && world.reward[i] > m) m = world.reward[i];
    sum += m;
  }
  return sum / world.prompts;
}

/**
 * Cosine between u = log p1 − log p and v = log p2 − log p in the Fisher metric of p:
 * ⟨u, v⟩ = Σ_r w_r Cov_{p(·|r)}(u, v). Per-row constants (logit shifts) drop out.
 */
export function fisherCosine(p: TabularPolicy, weights: Float64Array, logp1: Float64Array, logp2: Float64Array): number {
  const { rows, rowOffset } = p.layout;
  const { prob, logp } = p;
  let uv = 0;
  let uu = 0;
  let vv = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    let mu = 0;
    let mv = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      if (prob[e] === 0) continue;
      mu += prob[e] * (logp1[e] - logp[e]);
      mv += prob[e] * (logp2[e] - logp[e]);
    }
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) {
      if (prob[e] === 0) continue;
      const u = logp1[e] - logp[e] - mu;
      const v = logp2[e] - logp[e] - mv;
      uv += w * prob[e] * u * v;
      uu += w * prob[e] * u * u;
      vv += w * prob[e] * v * v;
    }
  }
  return uv / Math.sqrt(uu * vv);
}

/**
 * First-order entropy change of a logit update Δz = log p1 − log p (up to per-row constants).
 * For one row it is −Cov_π(log π, Δz) (F28). For a sequence-level entropy H = −E[log π(y)],
 * dH = −Cov(log π(y), Σ_t ū_t) with ū the centred per-step changes; conditioning on the state,
 *   dH = −Σ_r w_r Σ_e π_e ū_e (log π_e + h(next_e)),  h(r) = Σ_e π_e (log π_e + h(next_e)),
 * h being minus the entropy-to-go. `h` is scratch of length rows.
 */
export function predictedEntropyChange(p: TabularPolicy, weights: Float64Array, logp1: Float64Array, h: Float64Array): number {
  const { rows, rowOffset, next } = p.layout;
  const { prob, logp } = p;
  const future = (e: number) => (next && next[e] >= 0 ? h[next[e]] : 0);
  for (let r = rows - 1; r >= 0; r--) {
    let v = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) if (prob[e] > 0) v += prob[e] * (logp[e] + future(e));
    h[r] = v;
  }
  let dH = 0;
  for (let r = 0; r < rows; r++) {
    const w = weights[r];
    if (w === 0) continue;
    let mean = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) if (prob[e] > 0) mean += prob[e] * (logp1[e] - logp[e]);
    let c = 0;
    for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) if (prob[e] > 0) c += prob[e] * (logp1[e] - logp[e] - mean) * (logp[e] + future(e));
    dH -= w * c;
  }
  return dH;
}

/**
 * The first-order entropy change of the two ideal steps on a per-token gain g (Cui et al.'s
 * Theorems 1 and 2, SPEC F29, F30), with A_e = Q_e − V(r) the exact advantage of g under π
 * (`exactAdvantages`):
 * - vanilla PG: Δz_e = η·∂J/∂z_e = η·w_r·π_e·A_e, so for a bandit ΔH ≈ −η·Cov_π(log π, π·A);
 * - NPG: Δz_e = η·A_e, so ΔH ≈ −η·Cov_π(log π, A): a rare token with a high advantage raises H.
 * Both go through `predictedEntropyChange`, so for sequence worlds they are completion-level.
 */
export function entropyChangeForms(
  p: TabularPolicy,
  weights: Float64Array,
  gain: Float64Array,
  eta: number,
  scratch: { advantage: Float64Array; logp: Float64Array; rows: Float64Array },
): { pg: number; npg: number } {
  const { advantage: A, logp, rows } = scratch;
  exactAdvantages(p, gain, 1, rows, A);
  const { entryRow } = p.layout;
  const step = (dz: (e: number) => number) => {
    for (let e = 0; e < logp.length; e++) logp[e] = p.prob[e] > 0 ? p.logp[e] + dz(e) : p.logp[e];
    return predictedEntropyChange(p, weights, logp, rows);
  };
  return {
    pg: step((e) => eta * weights[entryRow[e]] * p.prob[e] * A[e]),
    npg: step((e) => eta * A[e]),
  };
}
