import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/numerics/rng.js';
import { buildCdfFromWeights, sampleCdf } from '../../src/numerics/sampling.js';
import { CompletionBatch, Sampler, TabularPolicy, gibbsTarget, observables, occupancy, policyKl, policyLayout } from '../../src/policies/index.js';
import { chainWorld, compileTask, type BanditWorld } from '../../src/tasks/index.js';
import { expectClose } from '../support/assert.js';
import { randomAutomaton } from '../support/automata.js';
import { fsum, gibbsOracle, klOracle } from '../support/oracle.js';
import { between, gaussian, intBelow, mulberry32, randomSimplex } from '../support/random.js';
import { enumeratePaths, normalizeLog, pathKl, pathLogProbs, pathObservables, refPathLogProbs } from './enumerate.js';

/** A random per-step policy on a world's layout: logits = log π_ref + spread·N(0,1) on the support. */
function randomPolicy(world: Parameters<typeof policyLayout>[0], seed: number, spread = 1): TabularPolicy {
  const layout = policyLayout(world);
  const u = mulberry32(seed);
  const z = Float64Array.from(layout.logRef, (l) => (l === -Infinity ? -Infinity : l + spread * gaussian(u)));
  return new TabularPolicy(layout, z);
}

describe('tabular softmax policies: layout and normalization', () => {
  it('every row of a per-step chain policy sums to 1 over tokens (the wrong arc counts V−1 tokens)', () => {
    const world = chainWorld({ kind: 'chain', K: 3, q: 0.7, vocab: 1000, delta: 1 });
    const pol = randomPolicy(world, 1);
    const { rows, rowOffset, logMult } = pol.layout;
    for (let r = 0; r < rows; r++) {
      const tok = [];
      for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) tok.push(Math.exp(pol.logp[e]) * Math.exp(logMult![e]));
      expectClose(fsum(tok), 1, 1e-14, 0, `row ${r}`);
      for (let e = rowOffset[r]; e < rowOffset[r + 1]; e++) expectClose(pol.prob[e], tok[e - rowOffset[r]], 1e-14, 0, 'prob = m·e^{logp}');
    }
  });

  it('the reference start reproduces log π_ref; the uniform start is uniform on the support and −∞ off it', () => {
    const world = compileTask({ kind: 'bandit', ref: [0.4, 0.3, 0.2, 0.1, 0], reward: [0, 0.2, 0.5, 1, 2] }) as BanditWorld;
    const layout = policyLayout(world);
    const ref = TabularPolicy.start(layout, 'ref');
    [0.4, 0.3, 0.2, 0.1].forEach((p, i) => expectClose(ref.logp[i], Math.log(p), 1e-14, 1e-15));
    expect(ref.logp[4]).toBe(-Infinity);
    const uni = TabularPolicy.start(layout, 'uniform');
    for (let i = 0; i < 4; i++) expectClose(uni.prob[i], 0.25, 1e-15);
    expect(uni.prob[4]).toBe(0);
  });
});

describe('exact evaluation of per-step policies vs brute-force enumeration of token sequences', () => {
  it('random automata with multi-token arcs: reward, success, entropy, ref-KL, KL between policies, KL to π*_β', () => {
    const u = mulberry32(11);
    for (let t = 0; t < 25; t++) {
      const S = 1 + intBelow(u, 3);
      const K = 1 + intBelow(u, 4);
      const { world } = randomAutomaton(u, S, K, { zeroArcs: t % 2 === 0, mult: true });
      const p = randomPolicy(world, 100 + t);
      const q = randomPolicy(world, 200 + t);
      const paths = enumeratePaths(world);
      const lp = pathLogProbs(world, paths, p.logp);
      const lq = pathLogProbs(world, paths, q.logp);
      expectClose(fsum(lp.map(Math.exp)), 1, 1e-12, 0, 'paths sum to 1');
      const w = occupancy(p);
      const obs = observables(p, w);
      const want = pathObservables(world, paths, lp);
      for (const k of ['expectedReward', 'success', 'entropy', 'refKl'] as const) expectClose(obs[k], want[k], 1e-10, 1e-13, `t=${t} ${k}`);
      expectClose(policyKl(p, q.logp, w), pathKl(lp, lq), 1e-10, 1e-13, `t=${t} KL(p‖q)`);
      // π*_β over whole sequences, from the reference path probabilities and rewards.
      const beta = between(u, 0.2, 3);
      const lref = refPathLogProbs(world, paths);
      const star = gibbsOracle(lref.map(Math.exp), paths.map((x) => world.terminalReward[x.final]), beta);
      const target = gibbsTarget(world, p.layout, beta);
      expectClose(policyKl(p, target, w), pathKl(lp, star.logProbs), 1e-9, 1e-12, `t=${t} KL(p‖π*)`);
    }
  });

  it('β = 0: the target is the reference restricted to the maximal reward (KL finite only on it)', () => {
    const world = chainWorld({ kind: 'chain', K: 3, q: 0.6, vocab: 3, delta: 1 });
    const layout = policyLayout(world);
    const target = gibbsTarget(world, layout, 0);
    const paths = enumeratePaths(world);
    const lt = pathLogProbs(world, paths, target);
    // Only the all-correct path has the maximal reward: the limit puts all mass on it.
    const best = paths.findIndex((p) => world.terminalReward[p.final] === world.maxReward);
    expectClose(lt[best], 0, 0, 1e-15);
    expect(lt.filter((l) => l > -Infinity)).toHaveLength(1);
    const pol = TabularPolicy.start(layout);
    expect(policyKl(pol, target, occupancy(pol))).toBe(Infinity);
  });

  it('bandit rows: observables are means over prompts and KL to π*_β matches the Gibbs oracle', () => {
    const world = compileTask({ kind: 'contextual', prompts: 5, vocab: 7, correctFraction: 0.3, refScale: 1, seed: 3 }) as BanditWorld;
    const p = randomPolicy(world, 7);
    const w = occupancy(p);
    const beta = 0.7;
    const target = gibbsTarget(world, p.layout, beta);
    let kl = 0;
    let er = 0;
    for (let x = 0; x < 5; x++) {
      const row = (a: ArrayLike<number>) => Array.from(a).slice(x * 7, (x + 1) * 7);
      const star = gibbsOracle(row(world.logRef).map(Math.exp), row(world.reward), beta);
      kl += klOracle(row(p.logp), star.logProbs) / 5;
      er += fsum(row(p.prob).map((v, i) => v * row(world.reward)[i])) / 5;
    }
    expectClose(policyKl(p, target, w), kl, 1e-10);
    expectClose(observables(p, w).expectedReward, er, 1e-12);
  });
});

describe('sampling groups of completions', () => {
  it('completion frequencies match the exact sequence probabilities (10⁵ draws, within 5σ)', () => {
    const { world } = randomAutomaton(mulberry32(5), 2, 3, { mult: true });
    const p = randomPolicy(world, 9);
    const paths = enumeratePaths(world);
    const lp = pathLogProbs(world, paths, p.logp);
    // Distinct arc sequences (tokens of one arc are indistinguishable to the sampler).
    const prob = new Map<string, number>();
    paths.forEach((x, i) => prob.set(x.arcs.join(','), (prob.get(x.arcs.join(',')) ?? 0) + Math.exp(lp[i])));
    const sampler = new Sampler(p.layout);
    sampler.prepare(p);
    const batch = new CompletionBatch();
    const n = 100_000;
    sampler.sampleGroups(1, n, () => Rng.fromSeed(1), batch);
    const A = world.arcNext.length;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = Array.from(batch.entry.subarray(batch.tokenStart[i], batch.tokenStart[i + 1]), (e, k) => e - k * A).join(',');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    for (const [key, pr] of prob) {
      const c = counts.get(key) ?? 0;
      expect(Math.abs(c - n * pr), key).toBeLessThanOrEqual(5 * Math.sqrt(n * pr * (1 - pr)) + 1);
    }
    expect([...counts.keys()].every((k) => prob.has(k))).toBe(true);
  });

  it('bandit groups (four prompts per scan, and the rest) are the draws of a per-row table searched per draw, stream by stream', () => {
    const P = 7;
    const V = 9;
    const u = mulberry32(12);
    const logRef = new Float64Array(P * V);
    for (let x = 0; x < P; x++) randomSimplex(u, V, 2, 0.2).forEach((q, j) => (logRef[x * V + j] = Math.log(q)));
    const reward = Float64Array.from({ length: P * V }, () => (u() < 0.3 ? 1 : 0));
    const p = TabularPolicy.start(policyLayout({ type: 'bandit', prompts: P, actions: V, logRef, reward, maxReward: 1 }));
    const sampler = new Sampler(p.layout);
    sampler.prepare(p);
    const batch = new CompletionBatch();
    const G = 33;
    const root = Rng.fromSeed(4);
    sampler.sampleGroups(P, G, (x) => root.split('prompt', x), batch);
    expect(batch.completions).toBe(P * G);
    for (let x = 0; x < P; x++) {
      const table = buildCdfFromWeights(p.prob, new Float64Array(V), x * V, (x + 1) * V);
      const rng = root.split('prompt', x);
      for (let g = 0; g < G; g++) {
        const i = x * G + g;
        const e = x * V + sampleCdf(table, rng.uniform(), V);
        expect(batch.prompt[i]).toBe(x);
        expect(batch.entry[batch.tokenStart[i]], `prompt ${x} draw ${g}`).toBe(e);
        expect(batch.score[i]).toBe(reward[e]);
      }
    }
  });

  it('scores are the terminal rewards, and a stream gives the same draws whatever else was drawn', () => {
    const world = chainWorld({ kind: 'chain', K: 4, q: 0.5, vocab: 4, delta: 0.5 });
    const p = TabularPolicy.start(policyLayout(world));
    const sampler = new Sampler(p.layout);
    sampler.prepare(p);
    const a = new CompletionBatch();
    const b = new CompletionBatch();
    sampler.sampleGroups(1, 50, () => Rng.fromSeed(2).split('prompt', 0), a);
    sampler.sampleGroups(1, 7, () => Rng.fromSeed(99), b);
    sampler.sampleGroups(1, 50, () => Rng.fromSeed(2).split('prompt', 0), b);
    expect(Array.from(b.entry.subarray(b.tokenStart[7], b.tokens))).toEqual(Array.from(a.entry.subarray(0, a.tokens)));
    for (let i = 0; i < 50; i++) {
      const last = a.entry[a.tokenStart[i + 1] - 1];
      expect(a.score[i]).toBe(p.layout.reward[last]);
      expect([0, 2]).toContain(a.score[i]);
    }
  });
});
