import { taskSchema, type Task } from '../tasks/schema.js';
import { parseOrThrow, UsageError } from './errors.js';
import { parseStructuredText, readStructuredFile } from './files.js';

/** Loads a task from a file path (.json/.yaml/.yml) or from inline JSON (`--task '{...}'`), validated. */
export function loadTask(file: string | undefined, inline: string | undefined): Task {
  if (file !== undefined && inline !== undefined) throw new UsageError('task: give a task file or --task, not both');
  if (file === undefined && inline === undefined) throw new UsageError('task: missing; give a task file (.json/.yaml) or --task \'<json>\'');
  const raw = inline !== undefined ? parseStructuredText(inline, '--task', true) : readStructuredFile(file!, 'task file');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UsageError(`task = ${JSON.stringify(raw)?.slice(0, 40)}: must be an object with a "kind" field`);
  }
  return parseOrThrow(taskSchema, raw, 'task');
}
