/**
 * One diagnostic type for every stage (parse, schema, graph, shapes, resource guard, data).
 * Stages return `{ value, diagnostics }`; only the CLI prints and exits.
 */

/** Half-open range of 0-based character offsets into the source text. */
export interface SourceRange { start: number; end: number }

export type Severity = 'error' | 'warning' | 'note';

/** A secondary location ("the other side" of a mismatch), shown under the main frame. */
export interface RelatedNote { message: string; range?: SourceRange }

export interface Diagnostic {
  /** A member of the closed union in ./codes.ts. */
  code: string;
  severity: Severity;
  message: string;
  file: string;
  range: SourceRange;
  /** JSON-pointer-like path into the spec (`/graph/encoder/cell`). */
  path: string;
  notes: RelatedNote[];
  help?: string;
  /** A replacement for the text at `range` ("did you mean"). */
  suggestion?: string;
}

export interface Result<T> { value: T | null; diagnostics: Diagnostic[] }
