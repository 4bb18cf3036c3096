/**
 * seqloom as a library: each pipeline stage under its own name (the stages share type names such as
 * `GeneratedModule`, so they are namespaces rather than one flat list). Generated modules import
 * `seqloom/runtime` instead.
 *
 *   import { spec, graph, codegen, compile } from 'seqloom';
 *   const { value, diagnostics } = spec.loadSpecFile('models/d2l-seq2seq-gru.yaml');
 */
export * as spec from './spec/index.js';
export * as diagnostics from './diagnostics/index.js';
export * as graph from './graph/index.js';
export * as codegen from '../codegen/index.js';
export * as compile from './compile/index.js';
export * as train from './train/index.js';
export * as runtime from './runtime/index.js';
export * as web from './web/index.js';
export { UserError } from './errors.js';
