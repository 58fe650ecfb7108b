import { Cancelled } from './client.js';
import { download, h, message, type ProgressView } from './ui.js';

/**
 * The parts every computing page shares: the numbers, a status line, the error of the last
 * computation, and the CLI command that reproduces the page — with the way a failure lands.
 */
export function computeViews() {
  const numbers = h('div', { testid: 'numbers' });
  const status = h('div', { class: 'status', testid: 'status' });
  const computeError = h('div', { testid: 'compute-error' });
  const command = h('code', { class: 'command', testid: 'command' });
  /** A computation's failure in the page; a cancelled computation is not one. */
  const showError = (e: unknown): void => {
    if (!(e instanceof Cancelled)) computeError.replaceChildren(message('error', (e as Error).message));
  };
  return {
    numbers,
    status,
    computeError,
    command,
    showError,
    /**
     * Runs a job behind the progress bar: `done` gets its result and the milliseconds it took; a
     * failure stops the bar (a cancel has already) and lands in the page.
     */
    track<T>(progress: ProgressView, label: string, job: (onProgress: (done: number, total: number) => void) => Promise<T>, done: (r: T, ms: number) => void): void {
      const t0 = performance.now();
      progress.start(label);
      job((d, t) => progress.update(d, t)).then(
        (r) => {
          progress.stop();
          done(r, performance.now() - t0);
        },
        (e) => {
          if (!(e instanceof Cancelled)) progress.stop();
          showError(e);
        },
      );
    },
    /** A successful computation: the last error goes, the status says how long it took. */
    computed(ms: number): void {
      computeError.replaceChildren();
      status.textContent = `computed in ${ms.toFixed(0)} ms`;
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
