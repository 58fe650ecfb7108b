import type { Command } from 'commander';
import { analyzeChain, type ChainAnalysis } from '../../ebm/analysis.js';
import { UsageError } from '../../io/errors.js';
import { loadTask } from '../../io/task.js';
import { refineWorld } from '../../tasks/worlds.js';
import { parseNumber } from '../options.js';
import { fmt, printJson, table } from '../output.js';
import { examples, taskCommand } from './common.js';

function describe(a: ChainAnalysis): string {
  const h = a.hitting;
  const argmaxNu = a.stationary.reduce((best, v, f, nu) => (v > nu[best] ? f : best), 0);
  const lines = [
    `tuned chain T(g|f) ∝ π_ref(g|f)·exp(u(g)/β): ${a.states} responses, β = ${fmt(a.beta)}, ${a.reversible ? 'reversible' : 'NOT reversible'}`,
    `stationary ν: largest ν(${argmaxNu}) = ${fmt(a.stationary[argmaxNu])}; detailed-balance residual ${fmt(a.detailedBalanceResidual)}; ` +
      `potential V = log μ + u/β + log Z_u: max |log T(g|f)/T(f|g) − (V(g) − V(f))| = ${fmt(a.potentialResidual)}`,
    a.lambda2 === null
      ? 'spectrum: not computed (T is not reversible, so D^{1/2} T D^{−1/2} is not symmetric)'
      : `spectrum: λ₂ = ${fmt(a.lambda2, 10)}, λ_min = ${fmt(a.lambdaMin, 10)}, gap 1 − λ₂ = ${fmt(a.spectralGap)} ≥ F21 bound ${fmt(a.gapLowerBound)}`,
    `hitting a best response (${a.best.join(', ')}): from the worst (${a.worst}) ${fmt(a.hittingTimes[a.worst])} steps, max ${fmt(h.maxHittingTime)} ≤ 1/ε = ${fmt(h.geometricBound)}; ` +
      `E_ν ${fmt(h.stationaryHittingTime)}${h.spectralBound === null ? '' : ` ≤ ${fmt(h.spectralBound)}`}; return time ${fmt(h.returnTime)} vs Kac 1/ν(A) = ${fmt(h.kacReturnTime)}`,
    '',
    'KL(p_t‖ν) from the worst response:',
  ];
  const steps = a.klToStationary.length - 1;
  const every = Math.max(1, Math.ceil(steps / 12));
  const rows = a.klToStationary
    .map((kl, t) => [t, kl, a.klBound ? a.klBound[t] : null])
    .filter((_, t) => t % every === 0 || t === steps);
  return `${lines.join('\n')}\n${table(['t', 'KL', 'F20 bound'], rows)}`;
}

export function registerChain(program: Command): void {
  taskCommand(program, 'chain', 'the tuned refinement chain of a refine task: detailed balance, spectrum, hitting times, mixing')
    .description(
      'The tuned refinement chain T(g|f) ∝ π_ref(g|f)·exp(u(g)/β) of a refine task (SPEC F15–F22, a reconstruction of ' +
        'arXiv 2512.18730 §4): the stationary ν; the potential V = log μ + u/β + log Z_u, shifted so that Σ e^V = 1 (e^V ' +
        'is the predicted ν); the detailed-balance residual max |ν(f)T(g|f) − ν(g)T(f|g)|; λ₂ and the spectral gap with ' +
        'the lower bound e^{−2·osc(u)/β}·(1 − λ₂(π_ref)); the expected hitting times of the best responses with the ' +
        'geometric, spectral and Kac checks; and KL(p_t‖ν) from the worst response with its F20 bound.',
    )
    .requiredOption('--beta <B>', 'β > 0, the reference-KL coefficient of the tuned model')
    .option('--steps <N>', 'steps of the KL trace', '100')
    .addHelpText(
      'after',
      examples([
        'gibbslab chain examples/refine.yaml --beta 0.5',
        'gibbslab chain --task \'{"kind":"refine","generate":{"states":200,"seed":1}}\' --beta 1 --steps 30 --json',
        'gibbslab chain --task \'{"kind":"refine","generate":{"states":50,"reversible":false,"asymmetry":0.5}}\' --beta 1',
      ]),
    )
    .action((file: string | undefined, opts: { beta: string; steps: string; json?: boolean; task?: string }) => {
      const beta = parseNumber('--beta', opts.beta, { gt: 0 });
      const steps = parseNumber('--steps', opts.steps, { integer: true, min: 0, max: 1_000_000 });
      const task = loadTask(file, opts.task);
      if (task.kind !== 'refine') throw new UsageError(`task.kind = ${JSON.stringify(task.kind)}: the chain command needs a task of kind refine`);
      let analysis: ChainAnalysis;
      try {
        analysis = analyzeChain(refineWorld(task), beta, steps);
      } catch (e) {
        // The analysis rejects a β at which the kernel underflows (its only input-dependent failure).
        if (e instanceof RangeError) throw new UsageError(`--beta = ${JSON.stringify(opts.beta)}: ${e.message}`);
        throw e;
      }
      if (opts.json) return printJson(analysis);
      console.log(describe(analysis));
    });
}
