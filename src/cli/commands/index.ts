import type { Command } from 'commander';
import { registerAnalyze } from './analyze.js';
import { registerBench } from './bench.js';
import { registerChain } from './chain.js';
import { registerCritical } from './critical.js';
import { registerEquilibrium } from './equilibrium.js';
import { registerFlow } from './flow.js';
import { registerList } from './list.js';
import { registerOptimize } from './optimize.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerServe } from './serve.js';
import { registerSweep } from './sweep.js';

/** Every command, in the order `--help` lists them. Each module adds one command. */
export function registerCommands(program: Command): void {
  registerEquilibrium(program);
  registerCritical(program);
  registerFlow(program);
  registerOptimize(program);
  registerChain(program);
  registerRun(program);
  registerSweep(program);
  registerReport(program);
  registerList(program);
  registerAnalyze(program);
  registerServe(program);
  registerBench(program);
}
