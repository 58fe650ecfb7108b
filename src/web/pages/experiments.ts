import YAML from 'yaml';
import { z } from 'zod';
import { EXPERIMENTS, findExperiment } from '../../experiments/registry.js';
import type { Experiment } from '../../experiments/types.js';
import { zodErrorLine } from '../../io/errors.js';
import { Cancelled, LabWorker } from '../client.js';
import type { Page } from '../page.js';
import { experimentIntro, experimentView } from '../results.js';
import { readState, StateError, writeState, type Fields } from '../state.js';
import { download, h, message, progressView } from '../ui.js';

const FIELDS: Fields = { id: 'string', config: 'json' };
const IDS = EXPERIMENTS.map((e) => e.id) as [string, ...string[]];

const stateSchema = z.object({ id: z.enum(IDS).default(IDS[0]), config: z.unknown().optional() }).strict();

/** An experiment's config as its schema reads it, or the schema's one-line message (as `gibbslab run` would give). */
function checkConfig(exp: Experiment<unknown>, raw: unknown): unknown {
  const r = exp.configSchema.safeParse(raw);
  if (!r.success) throw new Error(zodErrorLine(r.error, raw, 'config'));
  return r.data;
}

const TYPING_DELAY_MS = 400;

export const experimentsPage: Page = {
  id: 'experiments',
  title: 'Experiments',
  mount(root, params, ctx) {
    const s = readState(stateSchema, params, FIELDS);
    let exp = findExperiment(s.id)!;
    let config: unknown;
    try {
      config = s.config === undefined ? exp.sizes.quick : checkConfig(exp, s.config);
    } catch (e) {
      throw new StateError((e as Error).message);
    }
    const worker = new LabWorker();
    const status = h('div', { class: 'status', testid: 'status' });
    const output = h('div', { testid: 'result' });
    const about = h('div', {});
    const configError = h('div', { testid: 'config-error' });
    const text = h('textarea', { testid: 'config', spellcheck: 'false', 'aria-label': 'experiment config (JSON or YAML)', rows: 12 });
    const command = h('code', { class: 'command', testid: 'command' });
    const progress = progressView(() => {
      worker.cancel();
      status.textContent = 'Cancelled: change the config (or press Run) to compute again.';
    });

    /** The downloaded file holds `{<experiment id>: config}`, the form `gibbslab run --config` merges over the sizes. */
    const configFile = () => `${exp.id}.config.json`;
    const save = () => {
      ctx.save(writeState({ id: exp.id, config }, FIELDS));
      command.textContent = `gibbslab run ${exp.id} --config ${configFile()} --json`;
    };
    const showAbout = () => about.replaceChildren(...experimentIntro(exp));

    const run = () => {
      const t0 = performance.now();
      progress.start(exp.title);
      worker.run({ kind: 'experiment', id: exp.id, config }, (done, total) => progress.update(done, total)).then(
        (result) => {
          progress.stop();
          status.textContent = `ran in ${(performance.now() - t0).toFixed(0)} ms`;
          output.replaceChildren(experimentView(result, { intro: false }));
        },
        (e) => {
          if (e instanceof Cancelled) return;
          progress.stop();
          output.replaceChildren(message('error', (e as Error).message, 'run-error'));
        },
      );
    };
    const setConfig = (next: unknown) => {
      config = next;
      text.value = JSON.stringify(config, null, 2);
      configError.replaceChildren();
      save();
      run();
    };

    const select = h('select', { testid: 'experiment', 'aria-label': 'experiment' }, ...EXPERIMENTS.map((e) => h('option', { value: e.id }, `${e.id} — ${e.title}`)));
    select.value = exp.id;
    select.addEventListener('change', () => {
      exp = findExperiment(select.value)!;
      showAbout();
      output.replaceChildren();
      setConfig(exp.sizes.quick);
    });
    let timer = 0;
    text.addEventListener('input', () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => {
        try {
          let raw: unknown;
          try {
            raw = YAML.parse(text.value);
          } catch (e) {
            throw new Error(`config: not valid YAML/JSON (${(e as Error).message.split('\n')[0]})`);
          }
          config = checkConfig(exp, raw);
          configError.replaceChildren();
          save();
          run();
        } catch (e) {
          configError.replaceChildren(message('error', (e as Error).message));
        }
      }, TYPING_DELAY_MS);
    });

    text.value = JSON.stringify(config, null, 2);
    showAbout();
    root.replaceChildren(
      h('h2', {}, 'Experiments, live'),
      h('p', { class: 'lead' }, 'Each experiment of the suite checks a claim against theory and returns verdicts and plots. Here it runs in your browser with any config its schema accepts, through the same ', h('code', {}, 'runExperiment'), ' as ', h('code', {}, 'gibbslab run'), '.'),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          {},
          h(
            'div',
            { class: 'panel' },
            h('label', {}, 'Experiment'),
            select,
            h('label', {}, 'Config'),
            text,
            configError,
            h(
              'div',
              { class: 'buttons' },
              h('button', { testid: 'quick', onclick: () => setConfig(exp.sizes.quick) }, 'Quick size'),
              h('button', { testid: 'full', onclick: () => setConfig(exp.sizes.full) }, 'Full size'),
              h('button', { testid: 'run', onclick: run }, 'Run'),
              h('button', { testid: 'download-config', onclick: () => download(configFile(), `${JSON.stringify({ [exp.id]: config }, null, 2)}\n`) }, 'Download config'),
            ),
          ),
          h('div', { class: 'panel' }, h('label', {}, 'With the CLI'), command),
        ),
        h('div', {}, about, h('div', { class: 'panel' }, status, progress.el), output),
      ),
    );
    save();
    run();
    return () => {
      clearTimeout(timer);
      worker.cancel();
      progress.stop();
    };
  },
};
