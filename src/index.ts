/**
 * The library behind the `gibbslab` CLI: the isomorphic core, usable from Node, worker threads
 * or a bundler. Every module here is free of Node APIs.
 */
export * from './numerics/index.js';
export * from './tasks/index.js';
export * from './equilibrium/index.js';
export * from './flows/index.js';
export * from './policies/index.js';
export * from './optimizers/index.js';
export * from './diagnostics/index.js';
export * from './ebm/index.js';
export * from './report/index.js';
export type * from './experiments/types.js';
export { EXPERIMENTS, findExperiment, runExperiment } from './experiments/registry.js';
export { VERSION } from './version.js';
