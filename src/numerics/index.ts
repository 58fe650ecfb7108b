export * from './logsumexp.js';
export * from './softmax.js';
export * from './divergences.js';
export * from './rng.js';
export * from './sampling.js';
export * from './span.js';
export * from './compensated.js';
