import type { Command } from 'commander';
import { loadTask } from '../../io/task.js';
import { UsageError } from '../../io/errors.js';
import { compileTask, type World } from '../../tasks/worlds.js';
import type { Task } from '../../tasks/schema.js';

/** Adds the task argument (`<task>` file or `--task '<json>'`) and `--json`. */
export function taskCommand(program: Command, name: string, summary: string): Command {
  return program
    .command(name)
    .summary(summary)
    .argument('[task]', 'task file (.json, .yaml, .yml)')
    .option('--task <json>', 'the task inline, as JSON')
    .option('--json', 'print one JSON object on stdout');
}

export function resolveTask(file: string | undefined, opts: { task?: string }): { task: Task; world: World } {
  const task = loadTask(file, opts.task);
  try {
    return { task, world: compileTask(task) };
  } catch (e) {
    // Compilation rejects only what the schema cannot express; say so as bad input.
    throw new UsageError(`task: ${(e as Error).message}`);
  }
}

/** Text for `--help`: examples that run from a fresh clone (the examples/ folder ships with the repo). */
export function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}
