import { describe, expect, it } from 'vitest';
import { mirrorDescentFlow, mirrorDescentStepRow } from '../../src/flows/mirrorDescent.js';
import { Rng } from '../../src/numerics/rng.js';
import { logSoftmax } from '../../src/numerics/softmax.js';
import { naturalGradient } from '../../src/optimizers/natural.js';
import { optimize, resolveSettings } from '../../src/optimizers/optimize.js';
import { LossPipeline, Rollout, defaultTerms, emptyStepStats } from '../../src/optimizers/pipeline.js';
import { OPTIMIZER_NAMES } from '../../src/optimizers/settings.js';
import { TabularPolicy, policyLayout } from '../../src/policies/index.js';
import { chainWorld, compileTask, type BanditWorld, type World } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { cli } from '../support/cli.js';
import { gaussian, mulberry32 } from '../support/random.js';

/** 20 actions, 4 of them correct (reward 1), reference logits N(0,1) from the test's own generator. */
function binaryBandit20(): BanditWorld {
  const u = mulberry32(2024);
  const logRef = Float64Array.from({ length: 20 }, () => gaussian(u));
  logSoftmax(logRef, logRef);
  const reward = Float64Array.from({ length: 20 }, (_, i) => (i < 4 ? 1 : 0));
  return { type: 'bandit', prompts: 1, actions: 20, logRef, reward, maxReward: 1 };
}

const tail = (a: number[], n: number) => a.slice(-n).reduce((s, v) => s + v, 0) / n;

describe('npg --exact is the ideal flow (mirror descent on F_β)', () => {
  const worlds: [string, World][] = [
    ['bandit', compileTask({ kind: 'bandit', ref: [0.4, 0.3, 0.2, 0.1, 0], reward: [0, 0.2, 0.5, 1, 2] })],
    ['binary', compileTask({ kind: 'binary', p: 0.1, delta: 1 })],
    ['contextual', compileTask({ kind: 'contextual', prompts: 6, vocab: 9, correctFraction: 0.2, refScale: 1, seed: 1 })],
    ['chain', chainWorld({ kind: 'chain', K: 6, q: 0.8, vocab: 50, delta: 0.2 })],
  ];
  for (const [name, world] of worlds) {
    it(`${name}: every observable equals src/flows to 1e-9, alignment 1`, () => {
      for (const [beta, eta, from] of [[0.5, 0.6, 'ref'], [0.2, 7, 'uniform'], [1, 1.5, 'ref']] as const) {
        const r = optimize(world, resolveSettings('npg', { exact: true, beta, lr: eta, from }), { steps: 25, seed: 0 });
        const f = mirrorDescentFlow(world, { tau: beta, eta, steps: 25, from });
        // The flow's uniform start also covers completions outside the reference support; the policy's
        // starts on the support. Both put them at 0 after one step, and agree from there on.
        const from0 = from === 'uniform' && name === 'bandit' ? 1 : 0;
        for (const k of ['klToGibbs', 'freeEnergyGap', 'success', 'expectedReward', 'entropy', 'refKl'] as const) {
          r[k].forEach((v, i) => i >= from0 && expectClose(v, f[k][i], 1e-9, 1e-12, `${name} β=${beta} η=${eta} ${k}[${i}]`));
        }
        r.alignment.slice(1).forEach((a, i) => expectClose(a, 1, 0, 1e-12, `alignment[${i + 1}]`));
        if (f.finalPolicy) f.finalPolicy.forEach((p, i) => expectClose(r.finalPolicy![i], p, 1e-9, 1e-14));
      }
    });
  }

  it('bandit: the natural gradient of the exact k1-shaped objective is the mirror-descent step (F8)', () => {
    const world = compileTask({ kind: 'contextual', prompts: 3, vocab: 6, correctFraction: 0.3, refScale: 1, seed: 4 }) as BanditWorld;
    const layout = policyLayout(world);
    const u = mulberry32(9);
    const policy = new TabularPolicy(layout, Float64Array.from(layout.logRef, (l) => l + gaussian(u)));
    const s = resolveSettings('npg', { exact: true, beta: 0.4, lr: 0.7 });
    const rollout = new Rollout(layout, s);
    rollout.collect(policy, Rng.fromSeed(0), emptyStepStats());
    const grad = new Float64Array(layout.entries);
    new LossPipeline(layout, s, defaultTerms(s)).gradient(policy, rollout.batch, 0, 0, grad, { clipped: 0, dualClipped: 0, mass: 0 });
    const nat = naturalGradient(policy, rollout.occupancy, grad, new Float64Array(layout.entries));
    const z = Float64Array.from(policy.logp, (l, e) => l - 0.7 * nat[e]);
    const md = new Float64Array(layout.entries);
    for (let x = 0; x < 3; x++) {
      logSoftmax(z, z, 6 * x, 6 * (x + 1));
      mirrorDescentStepRow(policy.logp, world.logRef, world.reward, 0.4, 0.7, md, 6 * x, 6 * (x + 1));
    }
    md.forEach((v, e) => expectClose(z[e], v, 1e-12, 1e-12, `entry ${e}`));
  });
});

describe('sampled GRPO reaches π*_β with the KL where its gradient is ∇KL(π‖π_ref) (20 actions, binary reward, Adam lr 0.05)', () => {
  const world = binaryBandit20();
  const run = (name: 'grpo' | 'rloo', o: object) => optimize(world, resolveSettings(name, { beta: 0.5, lr: 0.05, groupSize: 8, ...o }), { steps: 3000, seed: 1 });

  it('k1 in the reward (group std-normalized, the TRL default scale)', () => {
    expect(tail(run('grpo', { klEstimator: 'k1', klIn: 'reward' }).klToGibbs, 100)).toBeLessThan(0.05);
  });

  it('k2 in the loss, with an unbiased (leave-one-out) or mean-centred (scale_rewards none) baseline', () => {
    expect(tail(run('rloo', { klEstimator: 'k2', klIn: 'loss' }).klToGibbs, 100)).toBeLessThan(0.05);
    expect(tail(run('grpo', { klEstimator: 'k2', klIn: 'loss', scaleRewards: 'none' }).klToGibbs, 100)).toBeLessThan(0.05);
  });
});

describe('determinism and the constraints each optimizer promises', () => {
  const chain = chainWorld({ kind: 'chain', K: 5, q: 0.7, vocab: 8, delta: 0.2 });

  it('same settings and seed: identical numbers; another seed: different ones (every optimizer)', () => {
    for (const name of OPTIMIZER_NAMES) {
      const s = resolveSettings(name, { beta: 0.1 });
      const a = optimize(chain, s, { steps: 15, seed: 3 });
      const b = optimize(chain, s, { steps: 15, seed: 3 });
      const c = optimize(chain, s, { steps: 15, seed: 4 });
      expect(b, name).toEqual(a);
      expect(c.klToGibbs, name).not.toEqual(a.klToGibbs);
    }
  });

  it('TRPO: every step spends at most δ of KL(π_old‖π_new), exactly measured', () => {
    for (const exact of [false, true]) {
      const r = optimize(chain, resolveSettings('trpo', { beta: 0.1, maxKl: 0.02, exact }), { steps: 40, seed: 2 });
      r.proximalKlReverse.slice(1).forEach((d, i) => expect(d, `step ${i + 1}`).toBeLessThanOrEqual(0.02 + 1e-12));
      expect(Math.max(...r.proximalKlReverse.slice(1))).toBeGreaterThan(0.005); // the region is used, not avoided
    }
  });

  it('DAPO dynamic sampling keeps only groups with signal; all-tie fraction counts the first draw', () => {
    const world = binaryBandit20();
    const layout = policyLayout(world);
    const policy = TabularPolicy.start(layout);
    const s = resolveSettings('dapo', { groupSize: 4 });
    const rollout = new Rollout(layout, s);
    const stats = emptyStepStats();
    let tieSteps = 0;
    for (let k = 0; k < 30; k++) {
      rollout.collect(policy, Rng.fromSeed(1).split('step', k), stats);
      const b = rollout.batch;
      if (stats.allTieFraction === 1) tieSteps++;
      for (let i = 0; i < b.completions; i += 4) expect(new Set(Array.from(b.score.subarray(i, i + 4))).size).toBeGreaterThan(1);
      expect(b.completions === 4 || b.completions === 0).toBe(true);
    }
    expect(tieSteps).toBeGreaterThan(0); // success ≈ 0.2: many first draws tie, redrawn
  });

  it('exact PPO (SGD, 4 epochs, clipping active) with k1 in the reward converges to π*_β: the clip does not move the fixed point', () => {
    const r = optimize(binaryBandit20(), resolveSettings('ppo', { exact: true, beta: 0.5, epochs: 4, lr: 3, optimizerKind: 'sgd', whitenAdvantages: false }), { steps: 1500, seed: 0 });
    expect(Math.max(...r.clipFraction.slice(1, 10))).toBeGreaterThan(0.05);
    expect(r.klToGibbs.at(-1)!).toBeLessThan(1e-12);
  });
});

describe('gibbslab optimize: bad input is one line and exit 2', () => {
  const bad: [string[], RegExp][] = [
    [['--optimizer', 'sgdx'], /--optimizer = "sgdx": must be one of npg/],
    [['--optimizer', 'grpo', '--group-size', '1'], /--group-size = 1: grpo compares completions/],
    [['--optimizer', 'ppo', '--clip-ratio-low', '0'], /--clip-ratio-low = "0"/],
    [['--optimizer', 'grpo', '--lr', '0'], /--lr = "0": must be a number > 0/],
    [['--optimizer', 'grpo', '--max-kl', '0.1'], /--max-kl: not a setting of grpo/],
    [['--optimizer', 'grpo', '--exact'], /--exact = true: has no closed form/],
  ];
  it.each(bad)('%j', (args, message) => {
    const r = cli(['optimize', 'examples/bandit.yaml', ...args, '--steps', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--json prints one object with every array aligned with step', () => {
    const r = cli(['optimize', 'examples/binary.yaml', '--optimizer', 'grpo', '--beta', '0.5', '--steps', '12', '--seed', '2', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    const step = out.step as number[];
    expect(step).toEqual(Array.from({ length: 13 }, (_, i) => i));
    for (const k of ['klToGibbs', 'freeEnergyGap', 'success', 'expectedReward', 'entropy', 'refKl', 'refKlEstimate', 'proximalKl', 'alignment', 'entropyChange', 'entropyChangePredicted']) {
      expect((out[k] as unknown[]).length, k).toBe(13);
    }
    expect((out.finalPolicy as number[]).length).toBe(2);
    expect((out.settings as { optimizer: string }).optimizer).toBe('grpo');
  });
});
