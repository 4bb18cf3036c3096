/** Diagnostics: one type, a closed set of codes, named factories, renderers, suggestions. */
export type { Diagnostic, RelatedNote, Result, Severity, SourceRange } from './types.js';
export { CODE_TITLES, isDiagnosticCode } from './codes.js';
export type { DiagnosticCode, FrontEndCode, GraphCode } from './codes.js';
export * from './factories.js';
export { LineIndex, renderDiagnostic, renderDiagnostics, stripBom, summarize, toJsonDiagnostic } from './render.js';
export type { JsonDiagnostic, Position } from './render.js';
export { closestMatch, editDistance } from './suggest.js';
