#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { UsageError } from '../io/errors.js';
import { registerCommands } from './commands/index.js';
import { VERSION } from '../version.js';

/**
 * The gibbslab CLI. Bad input (unknown flag, invalid task or config) ends with one line on stderr
 * and exit code 2, never a stack trace; a failed run exits 1; a failing verdict is a result, exit 0.
 */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('gibbslab')
    .description('A laboratory for KL-regularized RL: exact Gibbs equilibria, ideal flows, practical optimizers, verdicts.')
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own errors become our one-line form (printed in the catch below).
      outputError: () => {},
    });
  registerCommands(program);
  program.commands.forEach((c) => c.exitOverride().configureOutput({ outputError: () => {} }));
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      // Commander puts a suggestion ("Did you mean …?") on a second line; keep errors to one.
      process.stderr.write(`gibbslab: ${e.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`gibbslab: ${e.message}\n`);
      return 2;
    }
    if ((e as Error)?.name === 'AbortError') {
      process.stderr.write('gibbslab: interrupted\n');
      return 130;
    }
    process.stderr.write(`gibbslab: run failed: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

// `gibbslab … | head` closes stdout early: that is the reader's choice, not a failure.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
