import type { Job } from './jobs.js';

/** Messages between the page and its Web Worker. One job at a time per worker; `id` ties replies to it. */
export interface JobRequest {
  id: number;
  job: Job;
}

export type JobReply =
  | { id: number; type: 'progress'; done: number; total: number }
  | { id: number; type: 'done'; result: unknown }
  | { id: number; type: 'error'; message: string };
