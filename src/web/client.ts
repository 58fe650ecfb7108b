import type { Job, JobResult } from './jobs.js';
import type { JobReply, JobRequest } from './protocol.js';

/** The rejection of a job that a newer input (or the Cancel button) replaced. */
export class Cancelled extends Error {
  override name = 'Cancelled';
  constructor() {
    super('cancelled');
  }
}

interface Pending {
  id: number;
  resolve(result: unknown): void;
  reject(error: Error): void;
  onProgress?: (done: number, total: number) => void;
}

/**
 * One Web Worker running one job at a time. A new `run` cancels the job in flight: the worker is
 * terminated (the only way to stop a computation that never yields) and a fresh one starts on
 * demand, which costs a module load, not a recomputation of anything still wanted.
 */
export class LabWorker {
  private worker: Worker | null = null;
  private pending: Pending | null = null;
  private nextId = 1;

  run<J extends Job>(job: J, onProgress?: (done: number, total: number) => void): Promise<JobResult<J>> {
    this.cancel();
    const worker = (this.worker ??= this.spawn());
    const id = this.nextId++;
    return new Promise<JobResult<J>>((resolve, reject) => {
      this.pending = { id, resolve: resolve as (r: unknown) => void, reject, onProgress };
      worker.postMessage({ id, job } satisfies JobRequest);
    });
  }

  /** Stops the job in flight, if any; its promise rejects with `Cancelled`. */
  cancel(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.worker?.terminate();
    this.worker = null;
    p.reject(new Cancelled());
  }

  private spawn(): Worker {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'gibbslab' });
    worker.onmessage = ({ data }: MessageEvent<JobReply>) => {
      const p = this.pending;
      if (!p || p.id !== data.id) return;
      if (data.type === 'progress') return p.onProgress?.(data.done, data.total);
      this.pending = null;
      if (data.type === 'done') p.resolve(data.result);
      else p.reject(new Error(data.message));
    };
    worker.onerror = (e) => {
      // A worker that fails to load or throws outside a job: report it on the job, start afresh next time.
      e.preventDefault();
      const p = this.pending;
      this.pending = null;
      worker.terminate();
      if (this.worker === worker) this.worker = null;
      p?.reject(new Error(`the lab's worker failed: ${e.message || 'could not load'}`));
    };
    return worker;
  }
}
