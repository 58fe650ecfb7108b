import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeLog, resolveAccuracySpec } from '../../src/analysis/analyze.js';
import { allTieProbability, deadSignal } from '../../src/analysis/deadSignal.js';
import { klReading } from '../../src/analysis/klReading.js';
import { mapMetrics } from '../../src/analysis/metricMap.js';
import { analysisSections } from '../../src/analysis/report.js';
import type { LogFormat, ParsedLog } from '../../src/analysis/types.js';
import { readLog } from '../../src/io/logs/index.js';
import { ROOT } from '../support/cli.js';
import { mulberry32 } from '../support/random.js';

const DIR = join(ROOT, 'test', 'fixtures', 'real-logs');

function log(format: LogFormat, rows: Record<string, number>[]): ParsedLog {
  return { format, rows: rows.map((values, i) => ({ step: i + 1, where: `row ${i}`, values })), skipped: [], notes: [] };
}

describe('metric map: one vocabulary, versioned aliases', () => {
  it('old TRL names: completion_length, rewards/f without /mean, frac_zero_reward_std', () => {
    const m = mapMetrics(log('trl-trainer-state', [{ completion_length: 100, 'rewards/correct': 0.5, frac_zero_reward_std: 0.25, reward: 0.5 }]));
    expect(m.library).toBe('trl');
    expect(m.metrics['completions/mean_length']).toEqual([100]);
    expect(m.metrics['rewards/correct/mean']).toEqual([0.5]);
    expect(m.metrics.frac_reward_zero_std).toEqual([0.25]);
    expect(m.metrics['reward/mean']).toEqual([0.5]);
    expect(m.unmapped).toEqual([]);
  });

  it('a row with the old and the new name reads the new one; a row with only the old falls back', () => {
    const m = mapMetrics(log('trl-trainer-state', [{ 'completions/mean_length': 120, completion_length: 119 }, { completion_length: 90 }]));
    expect(m.metrics['completions/mean_length']).toEqual([120, 90]);
    expect(m.sources['completions/mean_length']).toEqual(['completions/mean_length', 'completion_length']);
  });

  it('verl: actor/entropy_loss is the entropy (≤ 0.3), actor/entropy wins when both; score is the reward', () => {
    const m = mapMetrics(log('verl-console', [{ 'actor/entropy_loss': 0.5, 'critic/score/mean': 0.9, 'actor/ppo_kl': 0.001 }, { 'actor/entropy': 0.4, 'actor/entropy_loss': -0.1 }]));
    expect(m.library).toBe('verl');
    expect(m.metrics.entropy).toEqual([0.5, 0.4]);
    expect(m.metrics['reward/mean'][0]).toBe(0.9);
    expect(m.metrics.kl_old[0]).toBe(0.001);
    expect(m.metrics.kl_ref).toBeUndefined();
  });

  it('wandb exports: the train/ prefix is dropped and the library inferred from the keys', () => {
    const m = mapMetrics(log('wandb-csv', [{ 'train/policy_loss': 0.1, 'train/actor_lr': 1e-6, 'train/kl': 0.02, 'train/entropy_loss': 1.3 }]));
    expect(m.library).toBe('openrlhf');
    expect(m.metrics.kl_ref).toEqual([0.02]);
    expect(m.metrics.entropy).toEqual([1.3]);
    expect(m.metrics.lr).toEqual([1e-6]);
  });

  it('the same key means different things per library: `kl` is unmapped when the library is unknown', () => {
    const m = mapMetrics(log('wandb-csv', [{ kl: 0.1, foo: 1 }]));
    expect(m.library).toBe('unknown');
    expect(m.metrics.kl_ref).toBeUndefined();
    expect(m.unmapped).toEqual(['foo', 'kl']);
  });

  it('KL reading: TRL k3 in the loss (not π*_β), verl loss path (depends), verl reward path (π*_β), old-policy KL', () => {
    const trl = klReading(mapMetrics(log('trl-console', [{ kl: 0.1, reward: 1 }])));
    expect(trl.map((k) => [k.key, k.against, k.placement, k.targetsGibbs])).toEqual([['kl', 'reference', 'loss', 'no']]);
    const verl = klReading(mapMetrics(log('verl-jsonl', [{ 'actor/kl_loss': 0.1, 'actor/reward_kl_penalty': 0.2, 'actor/ppo_kl': 0.01 }])));
    expect(verl.map((k) => [k.key, k.metric, k.targetsGibbs])).toEqual([
      ['actor/kl_loss', 'kl_ref', 'depends'],
      ['actor/reward_kl_penalty', 'kl_ref', 'yes'],
      ['actor/ppo_kl', 'kl_old', 'n/a'],
    ]);
  });

  it('--accuracy KEY[/SCALE]: a key that exists as written wins over a scale split', () => {
    const m = mapMetrics(log('trl-trainer-state', [{ 'rewards/correct': 2, 'val/acc/2': 0.5 }]));
    expect(resolveAccuracySpec('rewards/correct/2', m)).toEqual({ key: 'rewards/correct', scale: 2, values: [1] });
    expect(resolveAccuracySpec('val/acc/2', m)).toEqual({ key: 'val/acc/2', scale: 1, values: [0.5] });
    expect(resolveAccuracySpec('rewards/correct/mean', m)?.values).toEqual([2]);
    expect(resolveAccuracySpec('missing/2', m)).toBeNull();
    expect(resolveAccuracySpec('rewards/correct/0', m)).toBeNull();
  });
});

describe('dead signal', () => {
  it('p^G + (1−p)^G equals the all-tie probability by enumerating every outcome of a group', () => {
    const u = mulberry32(11);
    for (let t = 0; t < 20; t++) {
      const p = u();
      const G = 2 + Math.floor(u() * 9);
      let tie = 0;
      for (let mask = 0; mask < 1 << G; mask++) {
        let k = 0;
        for (let j = 0; j < G; j++) k += (mask >> j) & 1;
        if (k === 0 || k === G) tie += p ** k * (1 - p) ** (G - k);
      }
      expect(Math.abs(allTieProbability(p, G) - tie)).toBeLessThan(1e-14);
    }
  });

  it('across prompts of unequal difficulty the estimate at the mean p is a lower bound (Jensen)', () => {
    const u = mulberry32(5);
    for (let t = 0; t < 50; t++) {
      const ps = Array.from({ length: 8 }, () => u());
      const mean = ps.reduce((s, v) => s + v, 0) / ps.length;
      const actual = ps.reduce((s, p) => s + allTieProbability(p, 4), 0) / ps.length;
      expect(allTieProbability(mean, 4)).toBeLessThanOrEqual(actual + 1e-15);
    }
  });

  it('the logged fraction wins over the estimate; all-tie steps and zero-std steps are dead', () => {
    const steps = [1, 2, 3];
    const logged = deadSignal(steps, { frac_reward_zero_std: [0.5, 1, 0.25], accuracy: [0.5, 0.5, 0.5], 'reward/std': [0.1, 0.1, 0] }, 4)!;
    expect(logged.source).toBe('logged');
    expect(logged.deadSteps).toEqual([2, 3]);
    const est = deadSignal(steps, { accuracy: [0, 0.5, 1] }, 4)!;
    expect(est.source).toBe('estimated');
    expect(est.allTieFraction).toEqual([1, 0.125, 1]);
    expect(est.deadSteps).toEqual([1, 3]);
    expect(deadSignal(steps, { accuracy: [0.5, 0.5, 0.5] }, undefined)).toBeNull();
  });
});

describe('real logs end to end', () => {
  it('finance (sparse reward): almost every group ties; ≥ 75% all-tie at every step, as SOURCES.md says', () => {
    const r = analyzeLog('f', readLog(join(DIR, 'trl-qwen2.5-3b-finance-sparse-reward.trainer_state.json')), { accuracy: ['reward'] });
    expect(r.deadSignal!.source).toBe('logged');
    expect(Math.min(...r.allTieFraction!)).toBeGreaterThanOrEqual(0.75);
    expect(r.deadSignal!.deadSteps.length).toBeGreaterThan(50);
  });

  it('verl PPO: validation accuracy is found without --accuracy, paired with entropy at its 34 steps', () => {
    const r = analyzeLog('v', readLog(join(DIR, 'verl-ppo-qwen2.5-7b-gsm8k.console.log')));
    expect(r.accuracy).toMatchObject({ key: 'val-core/openai/gsm8k/reward/mean@1', declared: false });
    expect(r.entropyAccuracyFit!.n).toBe(34);
    expect(r.klReading.map((k) => k.key)).toEqual(['actor/ppo_kl']);
    expect(r.notes.join(' ')).toMatch(/resolution of 0\.001/);
  });

  it('llama GSM8K: --accuracy rewards/correctness_reward_func/2 gives a 0/1 accuracy', () => {
    const r = analyzeLog('l', readLog(join(DIR, 'trl-unsloth-llama3.1-8b-gsm8k.trainer_state.json')), {
      accuracy: ['rewards/correctness_reward_func/2'],
      beta: 0.04,
      p0: 0.1,
    });
    expect(r.accuracy).toMatchObject({ key: 'rewards/correctness_reward_func', scale: 2, declared: true });
    expect(r.metrics.accuracy.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(r.rlvr!.p0).toBe(0.1);
    expect(r.bernoulliGap!.every(Number.isFinite)).toBe(true);
  });

  it('report sections: one per log and one comparing them, every plot with data', () => {
    const runs = [
      analyzeLog('a.json', readLog(join(DIR, 'trl-qwen3.5-9b-gsm8k.step_logs.json')), { accuracy: ['reward'], beta: 0 }),
      analyzeLog('b.log', readLog(join(DIR, 'verl-ppo-qwen2.5-7b-gsm8k.console.log')), { beta: 0.01 }),
    ];
    const sections = analysisSections(runs);
    expect(sections.map((s) => s.id)).toEqual(['analyze-1-a-json', 'analyze-2-b-log', 'analyze-compare']);
    const ids = sections.flatMap((s) => s.plots.map((p) => p.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of sections.flatMap((s) => s.plots)) {
      const layers = p.spec.layer as { data: { values: unknown[] } }[];
      expect(layers[0].data.values.length).toBeGreaterThan(0);
    }
    expect(ids).toContain('analyze-2-b-log-gap');
    expect(ids).toContain('analyze-1-a-json-pstar');
  });
});
