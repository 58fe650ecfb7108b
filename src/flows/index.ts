export * from './trace.js';
export * from './mirrorDescent.js';
export * from './replicator.js';
export * from './tilt.js';
export { mirrorDescentKlTrace, type MirrorDescentKlProblem } from './mirrorDescentKl.js';
