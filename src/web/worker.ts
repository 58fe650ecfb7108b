import { runJob } from './jobs.js';
import type { JobReply, JobRequest } from './protocol.js';

/**
 * The lab's Web Worker: runs jobs with the isomorphic core off the page's thread, so the page
 * never freezes. Cancelling is the page's business: it terminates this worker and starts a new one
 * (a running computation never yields, so a message could not interrupt it).
 */
const scope = self as unknown as {
  postMessage(reply: JobReply): void;
  onmessage: ((event: MessageEvent<JobRequest>) => void) | null;
};

/** Progress messages at most this often: enough for a smooth bar, few enough not to flood the page. */
const PROGRESS_INTERVAL_MS = 50;

scope.onmessage = async ({ data: { id, job } }) => {
  let last = 0;
  const onProgress = (done: number, total: number) => {
    const now = performance.now();
    if (done < total && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    scope.postMessage({ id, type: 'progress', done, total });
  };
  try {
    scope.postMessage({ id, type: 'done', result: await runJob(job, { onProgress }) });
  } catch (e) {
    scope.postMessage({ id, type: 'error', message: (e as Error)?.message ?? String(e) });
  }
};
