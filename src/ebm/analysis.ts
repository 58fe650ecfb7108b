import type { RefineWorld } from '../tasks/worlds.js';
import { potential, potentialMismatch, proposalChain, stationaryDistribution, tunedChain, type Stationary, type TunedChain } from './chain.js';
import { bestResponses, hittingBounds, hittingTimes, type HittingBounds } from './hitting.js';
import { mixingBounds, mixingTrace } from './mixing.js';
import { extremeEigenvalues, symmetrize } from './spectrum.js';

/**
 * The whole analysis of a tuned refinement chain at one β, as the `chain` command reports it
 * (INTERFACE.md fields first, then the numbers behind them). Reconstructed theory (SPEC §5.1):
 * F18's potential and F21's gap bound are our derivations, F19/F20/F22 standard results.
 */
export interface ChainAnalysis {
  beta: number;
  states: number;
  /** ν, the stationary distribution of T (computed without the potential). */
  stationary: Float64Array;
  /** V = log μ + u/β + log Z_u normalized so that Σ e^V = 1 (F18). */
  potential: Float64Array;
  /** max_{f,g} |ν(f)T(g|f) − ν(g)T(f|g)|. */
  detailedBalanceResidual: number;
  /** λ₂ of T (null when T is not reversible: the spectral statements assume it). */
  lambda2: number | null;
  spectralGap: number | null;
  /** e^{−2·osc(u)/β}·(1 − λ₂(π_ref)) ≤ 1 − λ₂(T) (F21; null when π_ref is not reversible). */
  gapLowerBound: number | null;
  /** E_f[steps to reach a response of maximal quality]. */
  hittingTimes: Float64Array;
  /** KL(p_t‖ν) from a point mass on the worst response, t = 0..steps. */
  klToStationary: number[];
  reversible: boolean;
  /** |ν·T − ν|_∞ and max |log(T(g|f)/T(f|g)) − (V(g) − V(f))|. */
  stationarityResidual: number;
  potentialResidual: number;
  lambdaMin: number | null;
  /** λ* = max(|λ₂|, |λ_min|), the rate of F19–F20. */
  lambdaStar: number | null;
  /** λ₂ of π_ref in L²(μ) (null when π_ref is not reversible). */
  refLambda2: number | null;
  /** Responses of maximal quality (the hitting target) and the worst one (the KL start). */
  best: number[];
  worst: number;
  hitting: HittingBounds;
  /** F20 from the worst response: KL ≤ log(1 + λ*^{2t}(1/ν(x) − 1)) (null when not reversible). */
  klBound: number[] | null;
}

export interface SpectralSummary {
  lambda2: number;
  lambdaMin: number;
  lambdaStar: number;
}

/** λ₂, λ_min, λ* of a reversible kernel from its stationary distribution (Lanczos on D^{1/2} P D^{−1/2}). */
export function reversibleSpectrum(chain: { states: number; T: Float64Array }, st: Stationary): SpectralSummary {
  const n = chain.states;
  const e = extremeEigenvalues(n, symmetrize(n, chain.T, st.pi), st.pi.map(Math.sqrt));
  return { lambda2: e.lambda2, lambdaMin: e.lambdaMin, lambdaStar: Math.max(Math.abs(e.lambda2), Math.abs(e.lambdaMin)) };
}

/** osc(u) = max u − min u. */
export function oscillation(quality: Float64Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const u of quality) {
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
  }
  return hi - lo;
}

/**
 * Throws a RangeError when e^{u/β} underflows the tuned kernel off part of π_ref's support: the
 * chain would then no longer be irreducible and its analysis would describe rounding, not the model.
 */
function checkSupport(world: RefineWorld, chain: TunedChain): void {
  for (let i = 0; i < chain.T.length; i++) {
    if (world.logRef[i] !== -Infinity && chain.T[i] === 0) {
      throw new RangeError(`β = ${chain.beta} is too small for this quality range: T(g|f) underflows to 0 where π_ref(g|f) > 0`);
    }
  }
}

export function analyzeChain(world: RefineWorld, beta: number, steps: number): ChainAnalysis {
  const n = world.states;
  const chain = tunedChain(world, beta);
  checkSupport(world, chain);
  const st = stationaryDistribution(chain);
  const ref = proposalChain(world);
  const refSt = stationaryDistribution(ref);
  const V = potential(world, chain, refSt.logPi);
  const spec = st.reversible ? reversibleSpectrum(chain, st) : null;
  const refLambda2 = refSt.reversible ? reversibleSpectrum(ref, refSt).lambda2 : null;
  const target = bestResponses(world.quality);
  const h = hittingTimes(n, chain.T, target, st.reversible ? st.pi : undefined);
  let worst = 0;
  for (let f = 1; f < n; f++) if (world.quality[f] < world.quality[worst]) worst = f;
  return {
    beta,
    states: n,
    stationary: st.pi,
    potential: V,
    detailedBalanceResidual: st.detailedBalanceResidual,
    lambda2: spec?.lambda2 ?? null,
    spectralGap: spec ? 1 - spec.lambda2 : null,
    gapLowerBound: refLambda2 === null ? null : Math.exp((-2 * oscillation(world.quality)) / beta) * (1 - refLambda2),
    hittingTimes: h,
    klToStationary: mixingTrace(n, chain.T, st.pi, st.logPi, worst, steps).kl,
    reversible: st.reversible,
    stationarityResidual: st.stationarityResidual,
    potentialResidual: potentialMismatch(chain, V),
    lambdaMin: spec?.lambdaMin ?? null,
    lambdaStar: spec?.lambdaStar ?? null,
    refLambda2,
    best: Array.from(target.keys()).filter((f) => target[f]),
    worst,
    hitting: hittingBounds(n, chain.T, st.pi, target, h, spec?.lambda2 ?? null),
    klBound: spec ? mixingBounds(spec.lambdaStar, st.pi[worst], steps).kl : null,
  };
}
