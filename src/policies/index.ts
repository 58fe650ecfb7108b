export * from './layout.js';
export * from './tabular.js';
export * from './evaluate.js';
export * from './gibbs.js';
export * from './sampling.js';
