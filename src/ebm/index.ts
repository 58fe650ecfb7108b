export * from './chain.js';
export * from './spectrum.js';
export * from './hitting.js';
export * from './mixing.js';
export * from './analysis.js';
export * from './rlvr.js';
