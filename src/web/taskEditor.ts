import YAML from 'yaml';
import { zodErrorLine } from '../io/errors.js';
import { taskSchema, type Task, type TaskKind } from '../tasks/schema.js';
import { EXAMPLES } from './examples.js';
import { h } from './ui.js';

/** A task as the CLI reads it (same schema, same one-line messages); `where` names the text in a syntax error. */
function parseTaskText(text: string, where = 'task'): Task {
  let raw: unknown;
  try {
    // YAML is a superset of JSON: the box takes what a task file holds, in either form.
    raw = YAML.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid YAML/JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const r = taskSchema.safeParse(raw);
  if (!r.success) throw new Error(zodErrorLine(r.error, raw, 'task'));
  return r.data;
}

export interface TaskEditor {
  el: HTMLElement;
  /** Shows a task set by another control (e.g. the K slider) without firing `onChange`. */
  set(task: Task): void;
}

const TYPING_DELAY_MS = 300;

/** A page that takes some kinds of task only (the EBM lens: refine), and the message for the others. */
export interface KindRule {
  kinds: readonly TaskKind[];
  /** Completes `task.kind = "binary": …`, e.g. "the EBM lens needs a task of kind refine". */
  message: string;
}

/**
 * Picks a task: a preset (the files of examples/), the task as editable JSON/YAML, or a task file
 * from disk. Every change is validated with the CLI's schema; a bad task shows the CLI's message
 * and is not run.
 */
export function taskEditor<T extends Task = Task>(initial: T, onChange: (task: T) => void, rule?: KindRule): TaskEditor {
  const examples = EXAMPLES.filter((e) => !rule || rule.kinds.includes(e.task.kind));
  const presetName = (task: Task) => examples.find((e) => JSON.stringify(e.task) === JSON.stringify(task))?.name ?? '';
  const select = h(
    'select',
    { testid: 'preset', 'aria-label': 'preset task' },
    h('option', { value: '' }, 'custom'),
    ...examples.map((e) => h('option', { value: e.name, title: e.description }, `${e.name} — ${e.description}`)),
  );
  const text = h('textarea', { testid: 'task', spellcheck: 'false', 'aria-label': 'task (JSON or YAML)' });
  const error = h('div', { class: 'error', role: 'alert', testid: 'task-error', hidden: true });
  const file = h('input', { type: 'file', accept: '.json,.yaml,.yml', testid: 'task-file', 'aria-label': 'open a task file' });

  const accept = (task: Task) => {
    if (rule && !rule.kinds.includes(task.kind)) return reject(`task.kind = ${JSON.stringify(task.kind)}: ${rule.message}`);
    error.hidden = true;
    select.value = presetName(task);
    onChange(task as T);
  };
  const reject = (message: string) => {
    error.textContent = message;
    error.hidden = false;
  };
  const set = (task: Task) => {
    text.value = JSON.stringify(task, null, 2);
    select.value = presetName(task);
    error.hidden = true;
  };

  let timer = 0;
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => {
      try {
        accept(parseTaskText(text.value));
      } catch (e) {
        reject((e as Error).message);
      }
    }, TYPING_DELAY_MS);
  });
  select.addEventListener('change', () => {
    const e = examples.find((x) => x.name === select.value);
    if (!e) return;
    set(e.task);
    accept(e.task);
  });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    const body = await f.text();
    text.value = body;
    try {
      accept(parseTaskText(body, `task file ${JSON.stringify(f.name)}`));
    } catch (e) {
      reject((e as Error).message);
    }
    file.value = '';
  });

  set(initial);
  const el = h(
    'div',
    { class: 'control' },
    h('label', {}, 'Task'),
    select,
    text,
    h('div', { class: 'row' }, h('span', { class: 'hint' }, 'or open a task file: '), file),
    error,
  );
  return { el, set };
}
