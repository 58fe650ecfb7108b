import { Cancelled } from './client.js';
import { download, h, message } from './ui.js';

/**
 * The parts every computing page shares: the numbers, a status line, the error of the last
 * computation, and the CLI command that reproduces the page — with the way a failure lands.
 */
export function computeViews() {
  const numbers = h('div', { testid: 'numbers' });
  const status = h('div', { class: 'status', testid: 'status' });
  const computeError = h('div', { testid: 'compute-error' });
  const command = h('code', { class: 'command', testid: 'command' });
  return {
    numbers,
    status,
    computeError,
    command,
    /** A computation's failure in the page; a cancelled computation is not one. */
    showError(e: unknown): void {
      if (!(e instanceof Cancelled)) computeError.replaceChildren(message('error', (e as Error).message));
    },
    /** The results panel: numbers, status, the progress bar and the error. */
    resultsPanel(progress: HTMLElement): HTMLElement {
      return h('div', { class: 'panel' }, numbers, status, progress, computeError);
    },
  };
}

/** A button that downloads a file the CLI accepts; name and content are read when clicked. */
export interface DownloadButton {
  testid: string;
  label: string;
  file: () => string;
  text: () => string;
}

/** The task of a page as a task file (`<kind>-task.json`). */
export function taskDownload(task: () => { kind: string }): DownloadButton {
  return { testid: 'download-task', label: 'Download task file', file: () => `${task().kind}-task.json`, text: () => `${JSON.stringify(task(), null, 2)}\n` };
}

/** "The same with the CLI": the command, the files it needs, and any hint below them. */
export function cliPanel(command: HTMLElement, buttons: DownloadButton[], hint?: HTMLElement): HTMLElement {
  const row = buttons.length ? h('div', { class: 'buttons' }, ...buttons.map((b) => h('button', { testid: b.testid, onclick: () => download(b.file(), b.text()) }, b.label))) : null;
  return h('div', { class: 'panel' }, h('label', {}, 'The same with the CLI'), command, row, hint);
}
