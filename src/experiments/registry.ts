import { binaryVariance } from './binaryVariance.js';
import { crossing } from './crossing.js';
import { detailedBalance } from './detailedBalance.js';
import { entropyAccuracy } from './entropyAccuracy.js';
import { finiteSize } from './finiteSize.js';
import { grpoShrinkage } from './grpoShrinkage.js';
import { klEstimators } from './klEstimators.js';
import { hittingTimesExperiment } from './hittingTimes.js';
import { ladder } from './ladder.js';
import { mirrorDescent } from './mirrorDescent.js';
import { noKl } from './noKl.js';
import { npgRates } from './npgRates.js';
import { mixing } from './mixing.js';
import { replicator } from './replicator.js';
import { rlvrBernoulli } from './rlvrBernoulli.js';
import { entropyIdentity } from './entropyIdentity.js';
import { entropyBonusBias } from './entropyBonusBias.js';
import { covarianceControl } from './covarianceControl.js';
import { entropyAccuracyTrajectories } from './entropyAccuracyTrajectories.js';
import { selectionCost } from './selectionCost.js';
import type { Experiment, ExperimentResult, RunContext } from './types.js';

/** Every experiment, in report order. The default suite is all of them. */
export const EXPERIMENTS: Experiment<any>[] = [crossing, finiteSize, mirrorDescent, replicator, ladder, grpoShrinkage, klEstimators, noKl, npgRates, detailedBalance, mixing, hittingTimesExperiment, rlvrBernoulli, binaryVariance, entropyAccuracy, entropyIdentity, entropyBonusBias, covarianceControl, entropyAccuracyTrajectories, selectionCost];

export function findExperiment(id: string): Experiment<unknown> | undefined {
  return EXPERIMENTS.find((e) => e.id === id);
}

/**
 * Runs one experiment with a validated config and wraps its output with its identity and timing.
 * Isomorphic: the CLI, sweep workers and the web lab's Web Worker all call this.
 */
export async function runExperiment<C>(exp: Experiment<C>, config: C, ctx: RunContext = {}): Promise<ExperimentResult> {
  ctx.signal?.throwIfAborted();
  const t0 = performance.now();
  const out = await exp.run(config, ctx);
  return {
    id: exp.id,
    title: exp.title,
    question: exp.question,
    source: exp.source,
    claim: exp.claim,
    config,
    verdicts: out.verdicts,
    plots: out.plots,
    tables: out.tables ?? [],
    notes: out.notes ?? [],
    seconds: (performance.now() - t0) / 1000,
  };
}
