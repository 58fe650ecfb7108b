export * from './mirror.js';
export * from './ladder.js';
