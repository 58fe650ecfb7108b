import YAML from 'yaml';
import { taskSchema, type Task } from '../tasks/schema.js';

/** The files of examples/, inlined by vite.config.ts at build time. */
declare const __GIBBSLAB_EXAMPLES__: { file: string; text: string }[];

export interface Example {
  /** File name without extension: the preset's name, as in `gibbslab equilibrium examples/<name>.yaml`. */
  name: string;
  file: string;
  /** The file's first comment line. */
  description: string;
  task: Task;
}

/** The example tasks that validate (all of them, unless an example file is broken). */
export const EXAMPLES: Example[] = __GIBBSLAB_EXAMPLES__.flatMap(({ file, text }) => {
  const parsed = taskSchema.safeParse(YAML.parse(text));
  if (!parsed.success) return [];
  const description = /^#\s*(.*)$/m.exec(text)?.[1] ?? '';
  return [{ name: file.replace(/\.[^.]+$/, ''), file, description, task: parsed.data }];
});

export function example(name: string): Task | undefined {
  return EXAMPLES.find((e) => e.name === name)?.task;
}

/** The task a page starts from: the binary world (its τ_c has a closed form), else the first example. */
export const defaultTask: Task = example('binary') ?? EXAMPLES[0].task;
