import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson } from '../support/cli.js';
import { launchChromium, serve, type Served } from './support.js';

/**
 * The web lab in a real headless Chromium, served by the built `gibbslab serve`: every number the
 * page shows is compared with the CLI's JSON for the same config, read back from the page's URL.
 */

const work = mkdtempSync(join(tmpdir(), 'gibbslab-e2e-'));
const runs = join(work, 'runs');
/** Screenshots land here (kept after the run, for a human to look at). */
const shots = mkdtempSync(join(tmpdir(), 'gibbslab-screenshots-'));
let server: Served;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  const r = cli(['run', 'crossing', '--quick', '--out', join(runs, 'r1'), '--json']);
  expect(r.code, r.stderr).toBe(0);
  server = await serve(runs);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  context.setDefaultTimeout(20_000);
  console.log(`e2e: screenshots in ${shots}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Opens a page of the lab; any uncaught page error fails the test that opened it. */
async function open(hash: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${server.url}${hash}`);
  return page;
}

function pageErrors(page: Page): string[] {
  return (page as Page & { errors: string[] }).errors;
}

/** The page's state as URL parameters (what a shared link carries). */
async function urlState(page: Page): Promise<URLSearchParams> {
  const hash = new URL(page.url()).hash;
  return new URLSearchParams(hash.slice(hash.indexOf('?') + 1));
}

/** Waits until the numbers on the page were computed for the state now in the URL. */
async function settled(page: Page): Promise<URLSearchParams> {
  await page.waitForFunction(() => {
    const el = document.querySelector<HTMLElement>('[data-testid=numbers]');
    const hash = location.hash;
    return el?.dataset.for !== undefined && el.dataset.for === hash.slice(hash.indexOf('?') + 1);
  });
  return urlState(page);
}

/** The exact value of a number the page shows (data-value holds the shortest round-trip form). */
async function shown(page: Page, testid: string): Promise<number | null> {
  const v = await page.getAttribute(`[data-testid=${testid}]`, 'data-value');
  if (v === null) throw new Error(`no ${testid} on the page`);
  return v === 'null' ? null : Number(v);
}

/**
 * Page and CLI run the same code, but on different V8 versions (Chromium's and Node's), whose
 * Math.pow/exp may differ in the last bit; numbers that are themselves at rounding level (a KL of
 * 1e-25 after convergence) are compared absolutely.
 */
function expectSame(page: number | null, cliValue: number | null, what: string): void {
  if (page === null || cliValue === null) return expect(page, what).toBe(cliValue);
  expect(Math.abs(page - cliValue), `${what}: page ${page}, CLI ${cliValue}`).toBeLessThanOrEqual(1e-12 * Math.abs(cliValue) + 1e-15);
}

async function equilibriumMatchesCli(page: Page): Promise<void> {
  const state = await settled(page);
  const task = state.get('task')!;
  const tau = await shown(page, 'value-tau');
  expect(String(tau)).toBe(state.get('tau'));
  const cliOut = cliJson<Record<string, number[]>>(['equilibrium', '--task', task, '--tau', String(tau)]);
  for (const key of ['success', 'entropy', 'refKl', 'expectedReward', 'freeEnergy', 'logZ']) {
    expectSame(await shown(page, `value-${key}`), cliOut[key][0], key);
  }
  await page.waitForSelector('[data-testid=value-tauC]');
  const { tauC } = cliJson<{ tauC: number | null }>(['critical', '--task', task]);
  expectSame(await shown(page, 'value-tauC'), tauC, 'tauC');
}

/** Moves a range input to `value` (in its track units) as a drag would: input events. */
async function moveSlider(page: Page, testid: string, value: number): Promise<void> {
  await page.locator(`input[type=range][data-testid=${testid}]`).fill(String(value));
}

describe('web lab in headless Chromium', () => {
  it('Equilibrium: moving τ shows the numbers of `gibbslab equilibrium` and `critical`, in a shareable URL', async () => {
    const page = await open('#/equilibrium');
    await equilibriumMatchesCli(page);
    await moveSlider(page, 'tau', Math.log10(0.2)); // the track is log10 τ
    const state = await settled(page);
    expect(state.get('tau')).toBe('0.2');
    await equilibriumMatchesCli(page);
    await page.waitForSelector('[data-testid=plot-success] svg');
    await page.screenshot({ path: join(shots, 'equilibrium.png'), fullPage: true });
    // The link reproduces the page: same numbers in a fresh tab.
    const again = await open(new URL(page.url()).hash);
    await settled(again);
    expect(await shown(again, 'value-success')).toBe(await shown(page, 'value-success'));
    expect(pageErrors(page)).toEqual([]);
    await again.close();
    await page.close();
  });

  it('Equilibrium: the K slider of a chain task and the downloaded task file agree with the CLI', async () => {
    const chain = { kind: 'chain', K: 8, q: 0.9, vocab: 16, delta: 0.1 };
    const page = await open(`#/equilibrium?task=${encodeURIComponent(JSON.stringify(chain))}&tau=0.9`);
    await settled(page);
    await moveSlider(page, 'K', 32);
    const state = await settled(page);
    expect(JSON.parse(state.get('task')!)).toEqual({ ...chain, K: 32 });
    await equilibriumMatchesCli(page);
    const limit = cliJson<{ tauCLimit: number }>(['critical', '--task', state.get('task')!]).tauCLimit;
    expectSame(await shown(page, 'value-tauCLimit'), limit, 'tauCLimit');
    await page.waitForSelector('[data-testid=plot-chain] svg');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-task]')]);
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    const fromFile = cliJson<Record<string, number[]>>(['equilibrium', file, '--tau', state.get('tau')!]);
    expectSame(await shown(page, 'value-success'), fromFile.success[0], 'success');

    // The sweep file reproduces the plotted τ grid with `gibbslab sweep`, whose crossing analysis finds the page's τ_c.
    const [sweepDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-sweep]')]);
    const sweepFile = join(work, sweepDownload.suggestedFilename());
    await sweepDownload.saveAs(sweepFile);
    const sweep = cliJson<{ configs: number; failed: number; analysis: { crossings: { equilibriumTauC: number }[] } }>(['sweep', sweepFile, '--out', join(work, 'sweep'), '--workers', '1']);
    expect(sweep.configs).toBe(Number(state.get('points') ?? 121));
    expect(sweep.failed).toBe(0);
    const tauC = (await shown(page, 'value-tauC'))!;
    expect(Math.abs(sweep.analysis.crossings[0].equilibriumTauC - tauC)).toBeLessThanOrEqual(1e-9 * tauC);
    await page.close();
  });

  it('Flows & optimizers: moving η gives the numbers of `gibbslab flow` and of `gibbslab optimize` for each optimizer', async () => {
    const page = await open('#/flows?steps=60');
    await settled(page);
    await moveSlider(page, 'eta', Math.log10(0.1)); // ητ = 0.05: still far from π*_τ after 60 steps
    const state = await settled(page);
    expect(state.get('eta')).toBe('0.1');
    const get = (k: string) => state.get(k)!;
    const args = ['--task', get('task'), '--tau', get('tau'), '--steps', get('steps'), '--from', get('from')];
    const md = cliJson<Record<string, number[]>>(['flow', ...args, '--eta', get('eta')]);
    const rep = cliJson<Record<string, number[]>>(['flow', ...args, '--continuous', '--dt', get('eta')]);
    for (const key of ['klToGibbs', 'freeEnergyGap', 'success', 'entropy', 'refKl', 'expectedReward']) {
      expectSame(await shown(page, `value-md-${key}`), md[key].at(-1)!, `mirror descent ${key}`);
      expectSame(await shown(page, `value-replicator-${key}`), rep[key].at(-1)!, `replicator ${key}`);
    }
    // The practical optimizers the page runs by default, with β = τ and the page's shared settings.
    const optimizers = get('optimizers').split(',');
    expect(optimizers.length).toBeGreaterThan(0);
    for (const name of optimizers) {
      const out = cliJson<Record<string, (number | null)[]>>([
        'optimize', '--task', get('task'), '--optimizer', name, '--beta', get('tau'), '--lr', get('lr'), '--group-size', get('groupSize'),
        '--from', get('from'), '--steps', get('steps'), '--seed', get('seed'),
      ]);
      for (const key of ['klToGibbs', 'success', 'entropy', 'refKl', 'proximalKl', 'alignment']) {
        expectSame(await shown(page, `value-${name}-${key}`), out[key].at(-1)!, `${name} ${key}`);
      }
    }
    await page.waitForSelector('[data-testid=plot-alignment] svg');
    await page.screenshot({ path: join(shots, 'flows.png'), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('Entropy control: β, clip-higher, the decoy, KL-Cov (annealed), the adaptive bonus give the entropy numbers of `gibbslab optimize`', async () => {
    const page = await open('#/entropy?steps=150');
    await settled(page);
    await moveSlider(page, 'beta', 0.05); // a linear track
    await page.check('[data-testid=clipHigh-on]');
    const state = await settled(page);
    expect(state.get('beta')).toBe('0.05');
    expect(state.get('clipHigh')).toBe('0.28');
    for (const name of state.get('optimizers')!.split(',')) {
      const out = cliJson<Record<string, number[]>>([
        'optimize', '--task', state.get('task')!, '--optimizer', name, '--beta', state.get('beta')!, '--lr', state.get('lr')!, '--group-size', state.get('groupSize')!,
        '--from', state.get('from')!, '--clip-ratio-high', state.get('clipHigh')!, '--steps', state.get('steps')!, '--seed', state.get('seed')!,
      ]);
      for (const key of ['entropy', 'success', 'entropyChange', 'entropyChangePredicted']) {
        expectSame(await shown(page, `value-${name}-${key}`), out[key].at(-1)!, `${name} ${key}`);
      }
    }
    await page.waitForSelector('[data-testid=plot-identity] svg');
    await page.screenshot({ path: join(shots, 'entropy.png'), fullPage: true });

    // The controls: the decoy chain of docs/entropy.md (the decoy set by its own control), four
    // mini-batches (KL-Cov acts from the second update of a step on) and KL-Cov next to each baseline.
    await page.fill('[data-testid=task]', JSON.stringify({ kind: 'chain', K: 3, q: 0.15, vocab: 8 }));
    await page.waitForFunction(() => location.hash.includes('%22kind%22%3A%22chain%22'));
    await moveSlider(page, 'decoy', 0.6);
    await moveSlider(page, 'steps', 100);
    await moveSlider(page, 'minibatches', 4);
    await page.check('[data-testid=klCov-on]');
    await moveSlider(page, 'klCov', Math.log10(0.05)); // the track is log10 ratio
    await moveSlider(page, 'ppoKlCoef', 0.5);
    const controlled = await settled(page);
    expect(JSON.parse(controlled.get('task')!)).toMatchObject({ kind: 'chain', K: 3, q: 0.15, vocab: 8, decoy: 0.6 });
    expect([controlled.get('klCov'), controlled.get('ppoKlCoef'), controlled.get('minibatches'), controlled.get('steps')]).toEqual(['0.05', '0.5', '4', '100']);
    expect(await page.textContent('[data-testid=command]')).toContain('--kl-cov 0.05 --ppo-kl-coef 0.5');
    /** The plotted entropy trajectory of one run: step indices and exact values. */
    const trajectory = async (key: string) => {
      const el = page.locator(`[data-testid=trajectory-${key}]`);
      return { steps: JSON.parse((await el.getAttribute('data-steps'))!) as number[], entropy: JSON.parse((await el.getAttribute('data-entropy'))!) as number[] };
    };
    for (const name of controlled.get('optimizers')!.split(',')) {
      const base = [
        'optimize', '--task', controlled.get('task')!, '--optimizer', name, '--beta', controlled.get('beta')!, '--lr', controlled.get('lr')!, '--group-size', controlled.get('groupSize')!,
        '--from', controlled.get('from')!, '--clip-ratio-high', controlled.get('clipHigh')!, '--minibatches', controlled.get('minibatches')!,
        '--steps', controlled.get('steps')!, '--seed', controlled.get('seed')!,
      ];
      const baseline = cliJson<Record<string, number[]>>(base);
      const klCov = cliJson<Record<string, number[]>>([...base, '--kl-cov', controlled.get('klCov')!, '--ppo-kl-coef', controlled.get('ppoKlCoef')!]);
      for (const [key, out] of [[name, baseline], [`${name}-klcov`, klCov]] as const) {
        const t = await trajectory(key);
        expect(t.steps.at(-1)).toBe(100);
        for (const i of [1, 10, 37, Math.floor(t.steps.length / 2), t.steps.length - 1]) {
          expectSame(t.entropy[i], out.entropy[t.steps[i]], `${key} entropy at step ${t.steps[i]}`);
        }
        expectSame(await shown(page, `value-${key}-success`), out.success.at(-1)!, `${key} success`);
      }
      // The control acts: KL-Cov's path leaves the baseline's.
      expect(klCov.entropy.some((h, k) => h !== baseline.entropy[k])).toBe(true);
    }
    // TRL's adaptive entropy coefficient and KL-Cov annealed on its coefficient: the same runs as the CLI's flags.
    await page.check('[data-testid=entropyCoef-on]');
    await page.selectOption('[data-testid=adaptive]', 'on');
    await page.selectOption('[data-testid=covAnneal]', 'coef');
    const adaptive = await settled(page);
    expect([adaptive.get('entropyCoef'), adaptive.get('adaptive'), adaptive.get('covAnneal')]).toEqual(['0.01', 'on', 'coef']);
    const commands = (await page.textContent('[data-testid=command]'))!;
    expect(commands).toContain('--entropy-coef 0.01 --use-adaptive-entropy on');
    expect(commands).toContain('--cov-anneal coef');
    const name = adaptive.get('optimizers')!.split(',')[0];
    const base = [
      'optimize', '--task', adaptive.get('task')!, '--optimizer', name, '--beta', adaptive.get('beta')!, '--lr', adaptive.get('lr')!, '--group-size', adaptive.get('groupSize')!,
      '--from', adaptive.get('from')!, '--clip-ratio-high', adaptive.get('clipHigh')!, '--minibatches', adaptive.get('minibatches')!,
      '--steps', adaptive.get('steps')!, '--seed', adaptive.get('seed')!,
    ];
    const runs = {
      [`${name}-bonus`]: cliJson<Record<string, number[]>>([...base, '--entropy-coef', '0.01', '--use-adaptive-entropy', 'on']),
      [`${name}-klcov`]: cliJson<Record<string, number[]>>([...base, '--kl-cov', adaptive.get('klCov')!, '--ppo-kl-coef', adaptive.get('ppoKlCoef')!, '--cov-anneal', 'coef']),
    };
    for (const [key, out] of Object.entries(runs)) {
      const t = await trajectory(key);
      for (const i of [1, 10, t.steps.length - 1]) expectSame(t.entropy[i], out.entropy[t.steps[i]], `${key} entropy at step ${t.steps[i]}`);
    }
    // The task file the page downloads is the task with its decoy, as the CLI takes it.
    const [taskDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-task]')]);
    const taskFile = join(work, taskDownload.suggestedFilename());
    await taskDownload.saveAs(taskFile);
    expect(JSON.parse(readFileSync(taskFile, 'utf8'))).toEqual(JSON.parse(controlled.get('task')!));
    await page.waitForSelector('[data-testid=plot-entropy] svg');
    await page.screenshot({ path: join(shots, 'entropy-controls.png'), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('EBM lens: moving β gives the numbers of `gibbslab chain`', async () => {
    const page = await open('#/ebm');
    await settled(page);
    await moveSlider(page, 'beta', Math.log10(0.25));
    const state = await settled(page);
    expect(state.get('beta')).toBe('0.25');
    const out = cliJson<Record<string, number & number[]>>(['chain', '--task', state.get('task')!, '--beta', state.get('beta')!, '--steps', state.get('steps')!]);
    for (const key of ['detailedBalanceResidual', 'potentialResidual', 'lambda2', 'spectralGap', 'gapLowerBound']) {
      expectSame(await shown(page, `value-${key}`), out[key], key);
    }
    expectSame(await shown(page, 'value-hittingTime'), out.hittingTimes[out.worst], 'hitting time from the worst response');
    expectSame(await shown(page, 'value-klLast'), out.klToStationary.at(-1)!, 'KL to stationarity');
    await page.waitForSelector('[data-testid=plot-gap] svg');
    await page.waitForSelector('[data-testid=plot-spectrum] svg');
    await page.screenshot({ path: join(shots, 'ebm.png'), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('Experiments: a live run with an edited config gives the verdicts of `gibbslab run --config` with the downloaded file', async () => {
    const page = await open('#/experiments?id=crossing');
    await page.waitForSelector('[data-testid=experiment-crossing] [data-testid=verdicts]');
    const config = JSON.parse(await page.inputValue('[data-testid=config]')) as { p: number };
    await page.fill('[data-testid=config]', JSON.stringify({ ...config, p: 0.2 }));
    await page.waitForFunction(() => location.hash.includes('%22p%22%3A0.2'));
    await page.waitForSelector('[data-testid=experiment-crossing] [data-testid=verdicts]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-config]')]);
    const file = join(work, download.suggestedFilename());
    await download.saveAs(file);
    const out = cliJson<{ experiments: { verdicts: { holds: boolean; measured: number | null }[] }[] }>(['run', 'crossing', '--config', file, '--out', join(work, 'cli-run')]);
    const verdicts = out.experiments[0].verdicts;
    const rows = await page.$$eval('[data-testid=verdicts] tr[data-holds]', (trs) =>
      trs.map((tr) => ({ holds: tr.getAttribute('data-holds') === 'true', measured: tr.querySelector('td.measured')!.getAttribute('data-value') })),
    );
    expect(rows.map((r) => r.holds)).toEqual(verdicts.map((v) => v.holds));
    rows.forEach((r, i) => expectSame(r.measured === 'null' ? null : Number(r.measured), verdicts[i].measured, `verdict ${i} measured`));
    await page.close();
  });

  it('Runs: lists the served runs and renders a stored report (verdicts and plots)', async () => {
    const page = await open('#/runs');
    await page.click('[data-testid=open-r1]');
    await page.waitForSelector('[data-testid=experiment-crossing] [data-testid=plot-crossing-binary] svg');
    const rows = await page.$$('[data-testid=verdicts] tr[data-holds]');
    const stored = JSON.parse(readFileSync(join(runs, 'r1', 'results.json'), 'utf8')) as { experiments: { verdicts: unknown[] }[] };
    expect(rows.length).toBe(stored.experiments[0].verdicts.length);
    expect(await page.textContent('[data-testid=run-summary]')).toMatch(/verdicts hold/);
    await page.screenshot({ path: join(shots, 'runs.png'), fullPage: true });
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('a long computation shows progress, keeps the page responsive and can be cancelled', async () => {
    // ~64·8192 completions per τ over 400 temperatures: seconds of work in the worker.
    const task = { kind: 'contextual', prompts: 64, vocab: 8192, correctFraction: 0.02, refScale: 1, seed: 0 };
    const page = await open(`#/equilibrium?task=${encodeURIComponent(JSON.stringify(task))}&tau=0.5&points=400`);
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('[data-testid=progress]');
      return bar !== null && bar.value > 0 && bar.value < bar.max;
    });
    expect(await page.textContent('[data-testid=progress-text]')).toMatch(/\/401 .*ETA/);
    // The page thread stays free while the worker computes: the τ numbers arrive from the other worker.
    await settled(page);
    await page.click('[data-testid=cancel]');
    await page.waitForSelector('[data-testid=progress]', { state: 'hidden' });
    expect(await page.textContent('[data-testid=status]')).toMatch(/cancelled/i);
    expect(await page.$('[data-testid=value-tauC]')).toBeNull();
    await page.close();
  });

  it('a bad URL state or task shows a readable message (the CLI\'s), never a blank page', async () => {
    const badTask = '{"kind":"binary","p":1.5}';
    const cliError = cli(['equilibrium', '--task', badTask, '--tau', '1']);
    expect(cliError.code).toBe(2);
    const expected = cliError.stderr.trim().replace(/^gibbslab: /, '');
    const cases: [string, string | RegExp][] = [
      [`#/equilibrium?task=${encodeURIComponent(badTask)}`, expected],
      ['#/equilibrium?task=%7Bnot%20json', /task: not valid JSON/],
      ['#/equilibrium?tau=-1', /^.*tau = -1: /],
      ['#/flows?steps=abc', /steps = "abc": must be a number/],
      ['#/equilibrium?colour=red', /colour: unknown parameter/],
      ['#/experiments?id=crossing&config=%7B%22p%22%3A2%7D', /config\.p = 2/],
      ['#/ebm?task=%7B%22kind%22%3A%22binary%22%2C%22p%22%3A0.1%7D', /task\.kind = "binary": the EBM lens needs a task of kind refine/],
      ['#/nowhere', /does not have/],
    ];
    const page = await open('#/equilibrium');
    for (const [hash, text] of cases) {
      await page.goto(`${server.url}${hash}`);
      const msg = await page.textContent('[data-testid=state-error]');
      if (typeof text === 'string') expect(msg).toContain(text);
      else expect(msg).toMatch(text);
      expect(await page.$$('nav a')).not.toHaveLength(0);
    }
    await page.screenshot({ path: join(shots, 'bad-url.png') });
    // A bad task typed into the editor: the same message, and the last good numbers stay.
    await page.goto(`${server.url}#/equilibrium`);
    await settled(page);
    await page.fill('[data-testid=task]', badTask);
    await page.waitForSelector('[data-testid=task-error]:not([hidden])');
    expect(await page.textContent('[data-testid=task-error]')).toBe(expected);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});
