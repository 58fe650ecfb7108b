export * from './bandit.js';
export * from './sequence.js';
export * from './equilibrium.js';
export * from './critical.js';
export * from './entropyBonus.js';
