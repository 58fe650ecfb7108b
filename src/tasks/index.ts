export * from './schema.js';
export * from './worlds.js';
