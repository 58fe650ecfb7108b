import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/io/errors.js';
import { detectFormat, parseLog, readLog } from '../../src/io/logs/index.js';
import { ROOT } from '../support/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'real-logs');

/** The "logged rows" column of SOURCES.md: the count a person made from each file, our oracle. */
function sourcesRowCounts(): Map<string, number> {
  const md = readFileSync(join(DIR, 'SOURCES.md'), 'utf8');
  const counts = new Map<string, number>();
  for (const line of md.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | file | library | algorithm | logged rows | …
    if (cells.length > 5 && /\.(json|log)$/.test(cells[1])) counts.set(cells[1], Number(/^\d+/.exec(cells[4])![0]));
  }
  return counts;
}

function usageError(f: () => unknown): UsageError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return e as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('the seven real logs (test/fixtures/real-logs, SOURCES.md)', () => {
  const counts = sourcesRowCounts();
  const files = readdirSync(DIR).filter((f) => /\.(json|log)$/.test(f));

  it('SOURCES.md names every fixture, and every fixture is listed', () => {
    expect(files.sort()).toEqual([...counts.keys()].sort());
    expect(files).toHaveLength(7);
  });

  it.each(files)('%s: read with the row count of SOURCES.md, strictly increasing steps', (f) => {
    const log = readLog(join(DIR, f));
    expect(log.rows.length).toBe(counts.get(f));
    for (let i = 1; i < log.rows.length; i++) expect(log.rows[i].step).toBeGreaterThan(log.rows[i - 1].step);
  });

  it('detects each file’s format from its content', () => {
    const fmt = (f: string) => detectFormat(readFileSync(join(DIR, f), 'utf8'), f);
    expect(fmt('trl-unsloth-llama3.1-8b-gsm8k.trainer_state.json')).toBe('trl-trainer-state');
    expect(fmt('trl-qwen3.5-9b-gsm8k.step_logs.json')).toBe('trl-log-history');
    expect(fmt('trl-qwen2.5-3b-hotpotqa.console.log')).toBe('trl-console');
    expect(fmt('verl-ppo-qwen2.5-7b-gsm8k.console.log')).toBe('verl-console');
  });

  it('medrecord: the bare NaN grad_norm at step 138 is read as NaN, the rest of the row kept', () => {
    const log = readLog(join(DIR, 'trl-unsloth-qwen2.5-3b-medrecord.trainer_state.json'));
    const row = log.rows.find((r) => r.step === 138)!;
    expect(row.values.grad_norm).toBeNaN();
    expect(Number.isFinite(row.values.reward)).toBe(true);
  });

  it('qwen3.5 step logs: steps 5..200 by 5; the train_runtime summary row is skipped and counted', () => {
    const log = readLog(join(DIR, 'trl-qwen3.5-9b-gsm8k.step_logs.json'));
    expect(log.rows.map((r) => r.step)).toEqual(Array.from({ length: 40 }, (_, i) => 5 * (i + 1)));
    expect(log.skipped).toHaveLength(1);
    expect(log.skipped[0].reason).toMatch(/summary row \(train_runtime\)/);
  });

  it('hotpotqa console: 93 dicts and the summary dict, the first one glued to progress bars', () => {
    const log = readLog(join(DIR, 'trl-qwen2.5-3b-hotpotqa.console.log'));
    expect(log.rows[0].values.epoch).toBe(0.01);
    expect(log.rows[92].values.epoch).toBe(0.99);
    expect(log.skipped.map((s) => s.reason)).toEqual(['summary row (train_runtime)']);
    // No step in a console dict: the row number stands in, and a note says so.
    expect(log.rows.map((r) => r.step)).toEqual(Array.from({ length: 93 }, (_, i) => i + 1));
    expect(log.notes.join(' ')).toMatch(/row number/);
  });

  it('verl console: steps 101..435 behind ANSI codes and Ray prefixes; 34 validation points; summaries skipped', () => {
    const log = readLog(join(DIR, 'verl-ppo-qwen2.5-7b-gsm8k.console.log'));
    expect(log.rows[0].step).toBe(101);
    expect(log.rows[log.rows.length - 1].step).toBe(435);
    const val = log.rows.filter((r) => 'val-core/openai/gsm8k/reward/mean@1' in r.values);
    expect(val).toHaveLength(34);
    expect(val[0].step).toBe(110);
    expect(log.rows[0].values['actor/entropy_loss']).toBe(0.035);
    expect(Object.keys(log.rows[0].values).length).toBeGreaterThanOrEqual(60);
    expect(log.skipped.length).toBeGreaterThan(0);
    expect(log.skipped.every((s) => /summary/.test(s.reason))).toBe(true);
  });
});

describe('synthetic logs of each format', () => {
  it('trainer_state: a resumed run keeps the later copy of repeated steps; an eval row merges into its step', () => {
    const rows = [
      { loss: 1, reward: 0.1, step: 1 },
      { loss: 2, reward: 0.2, step: 2 },
      { loss: 3, reward: 0.3, step: 3 },
      // resumed from the step-1 checkpoint
      { loss: 22, reward: 0.22, step: 2 },
      { eval_reward: 0.5, step: 2 },
      { loss: 33, reward: 0.33, step: 3 },
    ];
    const log = parseLog(JSON.stringify({ log_history: rows }), 'state.json');
    expect(log.format).toBe('trl-trainer-state');
    expect(log.rows.map((r) => [r.step, r.values.loss])).toEqual([
      [1, 1],
      [2, 22],
      [3, 33],
    ]);
    expect(log.rows[1].values.eval_reward).toBe(0.5);
    expect(log.skipped.map((s) => s.where)).toEqual(['log_history[2]', 'log_history[1]']);
    expect(log.notes.join(' ')).toMatch(/resumed/);
  });

  it('bare list with Infinity, -Infinity, null and strings: numbers kept, null is NaN, strings ignored', () => {
    const text = '[{"step": 1, "kl": Infinity, "grad_norm": -Infinity, "lr": null, "tag": "a", "reward": 1}]';
    const log = parseLog(text, 'h.json');
    expect(log.format).toBe('trl-log-history');
    expect(log.rows[0].values).toEqual({ kl: Infinity, grad_norm: -Infinity, lr: NaN, reward: 1 });
  });

  it('TRL console: ANSI, \\r progress bars, nan/inf, a torn dict and a non-literal dict are handled and counted', () => {
    const text = [
      '\x1b[32mStarting\x1b[0m',
      "  5%|▌   | 1/20 [00:01<00:19]\r{'loss': 0.5, 'kl': nan, 'grad_norm': inf, 'reward': 0.25, 'epoch': 0.05}",
      "{'loss': 0.4, 'reward': 0.5, 'flag': True, 'epoch': 0.1}  10%|█ | 2/20",
      "{'loss': 0.3, 'reward': ",
      "{'loss': tensor(0.2), 'reward': 0.75}",
      "{'train_runtime': 12.5, 'train_loss': 0.4, 'epoch': 1.0}",
    ].join('\n');
    expect(detectFormat(text, 'x.log')).toBe('trl-console');
    const log = parseLog(text, 'x.log');
    expect(log.rows).toHaveLength(2);
    expect(log.rows[0].values.kl).toBeNaN();
    expect(log.rows[0].values.grad_norm).toBe(Infinity);
    expect(log.rows[1].values).toEqual({ loss: 0.4, reward: 0.5, epoch: 0.1 });
    expect(log.skipped.map((s) => [s.where, s.reason])).toEqual([
      ['line 4', 'a dict that does not close on its line'],
      ['line 5', 'not a Python literal of numbers'],
      ['line 6', 'summary row (train_runtime)'],
    ]);
  });

  it('verl console with a nan value, a step line without numbers, and noise', () => {
    const text = [
      '(TaskRunner pid=1) step:1 - actor/entropy:1.250 - critic/score/mean:0.100 - actor/kl_loss:nan',
      'random noise line with step: words',
      '\x1b[36m(TaskRunner pid=1)\x1b[0m step:2 - actor/entropy:1.100 - critic/score/mean:0.200',
      '(TaskRunner pid=1) step:3 - note:abc',
    ].join('\n');
    expect(detectFormat(text, 'v.log')).toBe('verl-console');
    const log = parseLog(text, 'v.log');
    expect(log.rows.map((r) => r.step)).toEqual([1, 2]);
    expect(log.rows[0].values['actor/kl_loss']).toBeNaN();
    expect(log.skipped).toHaveLength(1);
    expect(log.skipped[0].where).toBe('line 4');
  });

  it('verl JSONL: nulls, strings and NaN inside data; bad lines skipped with their line numbers', () => {
    const text = [
      '{"step": 1, "data": {"actor/entropy": 1.5, "critic/score/mean": 0.2, "val-core/x/acc/mean@1": null, "name": "run"}}',
      '{"step": 2, "data": {"actor/entropy": NaN, "critic/score/mean": 0.3}}',
      '{"step": 3, "data": {"actor/entropy": 1.2',
      '[1, 2]',
      '{"step": 4, "data": {"actor/entropy": 1.1, "critic/score/mean": 0.5}}',
    ].join('\n');
    expect(detectFormat(text, 'm.jsonl')).toBe('verl-jsonl');
    const log = parseLog(text, 'm.jsonl');
    expect(log.rows.map((r) => r.step)).toEqual([1, 2, 4]);
    expect(log.rows[0].values['val-core/x/acc/mean@1']).toBeNaN();
    expect('name' in log.rows[0].values).toBe(false);
    expect(log.skipped.map((s) => s.where)).toEqual(['line 3', 'line 4']);
  });

  it('OpenRLHF: one row per step from the episode bar’s postfix; redraws and micro-batch bars are not rows', () => {
    const bar = (n: number, post: string) => `Episode [1/1]:  ${n}%|█ | ${n}/10 [00:0${n}<00:10, 1.0s/it${post}]`;
    const s1 = ', policy_loss=0.0123, actor_lr=5e-7, kl=0.001, reward=0.25, response_length=120';
    const s2 = ', policy_loss=-0.02, actor_lr=5e-7, kl=0.002, reward=0.5, response_length=110';
    const text = [
      bar(0, ''),
      'Train epoch [1/1]: 100%|█| 4/4 [00:02<00:00, pg=0.01, rm=0.2, kl=0.001, act_lr=5e-7]',
      `${bar(0, s1)}\r${bar(1, s1)}`,
      `${bar(1, s2)}\r${bar(2, s2)}`,
    ].join('\n');
    expect(detectFormat(text, 'o.log')).toBe('openrlhf');
    const log = parseLog(text, 'o.log');
    expect(log.rows.map((r) => [r.step, r.values.reward])).toEqual([
      [1, 0.25],
      [2, 0.5],
    ]);
    expect(log.rows[0].values.actor_lr).toBe(5e-7);
  });

  it('wandb CSV (UI export): the run prefix is dropped, __MIN/__MAX ignored, a short record skipped', () => {
    const text = [
      'Step,"myrun - train/reward","myrun - train/reward__MIN","myrun - train/reward__MAX","myrun - train/entropy"',
      '1,0.1,0.05,0.15,1.2',
      '2,0.2',
      '3,0.3,0.2,0.4,',
      '4,NaN,0.3,0.5,1.0',
    ].join('\n');
    expect(detectFormat(text, 'export.csv')).toBe('wandb-csv');
    const log = parseLog(text, 'export.csv');
    expect(log.rows.map((r) => r.step)).toEqual([1, 3, 4]);
    expect(log.rows[0].values).toEqual({ 'train/reward': 0.1, 'train/entropy': 1.2 });
    expect(log.rows[1].values).toEqual({ 'train/reward': 0.3 });
    expect(log.rows[2].values['train/reward']).toBeNaN();
    expect(log.skipped).toHaveLength(1);
    expect(log.skipped[0].where).toBe('line 3');
  });

  it('wandb CSV (run.history()): _step column, bookkeeping columns left out', () => {
    const text = '_step,_runtime,_timestamp,actor/entropy,critic/score/mean\n0,1,1700000000,1.5,0.1\n1,2,1700000001,1.4,0.2\n';
    const log = parseLog(text, 'history.csv');
    expect(log.rows.map((r) => Object.keys(r.values))).toEqual([
      ['actor/entropy', 'critic/score/mean'],
      ['actor/entropy', 'critic/score/mean'],
    ]);
  });
});

describe('malformed logs: one line saying what was expected (the CLI exits 2 on a UsageError)', () => {
  it('truncated JSON', () => {
    const text = readFileSync(join(DIR, 'trl-qwen3.5-9b-gsm8k.step_logs.json'), 'utf8').slice(0, 5000);
    const e = usageError(() => parseLog(text, 'cut.json'));
    expect(e.message).toMatch(/"cut\.json": not valid JSON \(.*\); expected a TRL trainer_state\.json/);
  });

  it('unknown format', () => {
    const e = usageError(() => parseLog('hello\nworld\n', 'notes.txt'));
    expect(e.message).toMatch(/"notes\.txt": unknown log format; expected TRL trainer_state\.json .*--format/);
  });

  it('a JSON object without log_history', () => {
    const e = usageError(() => parseLog('{"a": 1}', 'cfg.json'));
    expect(e.message).toMatch(/unknown log format/);
    const e2 = usageError(() => parseLog('{"a": 1}', 'cfg.json', 'trl-trainer-state'));
    expect(e2.message).toMatch(/without log_history; expected/);
  });

  it('a forced format that finds no rows', () => {
    const text = readFileSync(join(DIR, 'trl-qwen2.5-3b-hotpotqa.console.log'), 'utf8');
    const e = usageError(() => parseLog(text, 'h.log', 'verl-console'));
    expect(e.message).toMatch(/no metric rows read as verl-console; expected verl console/);
  });

  it('only summary rows', () => {
    const e = usageError(() => parseLog('[{"train_runtime": 1, "step": 3}]', 's.json'));
    expect(e.message).toMatch(/no metric rows .*summary row/);
  });

  it('a wandb CSV without a step column, and one with two runs', () => {
    expect(usageError(() => parseLog('a,b\n1,2\n', 'x.csv')).message).toMatch(/no step column .*expected one of Step, _step/);
    expect(usageError(() => parseLog('Step,r1 - loss,r2 - loss\n1,2,3\n', 'x.csv')).message).toMatch(/2 runs in one export/);
  });

  it('a missing file', () => {
    expect(usageError(() => readLog(join(DIR, 'nope.json'))).message).toMatch(/file not found/);
  });
});
