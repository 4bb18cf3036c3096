/**
 * seqloom/runtime: everything a generated module imports. Generated code imports only this and tfjs.
 */
export * from './backend/index.js';
export * from './nn/index.js';
export * from './search/index.js';
export * from './metrics/index.js';
export * from './text/index.js';
export * from './data/index.js';
export * from './io/index.js';
export * from './module.js';
export { UserError } from '../errors.js';
