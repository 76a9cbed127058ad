export * from './graph.js';
export * from './problems.js';
export * from './events.js';
export * from './usage.js';
export * from './json-schema.js';
export * from './transcript.js';
export * from './nodes/index.js';
export * from './templates.js';
