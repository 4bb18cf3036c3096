/**
 * The closed set of diagnostic codes. Each stage owns a letter; codes are never reused or
 * renumbered (scripts and tests match on them). To add one: add it to the union AND to
 * `CODE_TITLES` (the compiler enforces both), then add a golden under test/diagnostics/golden/.
 *
 *   Y — reading and parsing the YAML file (src/spec/parse.ts)
 *   S — the JSON Schema, schema/seqloom.schema.json (src/spec/validate.ts)
 *   R — reference syntax (src/spec/refs.ts)
 *   N — cross-field rules the schema cannot state (src/spec/normalize.ts)
 *   G — the graph: references, cycles, widths, states, shapes (src/graph/)
 */
export type FrontEndCode =
  | 'Y001' | 'Y002' | 'Y003' | 'Y004' | 'Y005' | 'Y006' | 'Y007'
  | 'S001' | 'S002' | 'S003' | 'S004' | 'S005' | 'S006' | 'S007' | 'S008' | 'S009' | 'S010'
  | 'R001'
  | 'N001' | 'N002' | 'N003';

/** Graph codes (H2): add members here, e.g. `| 'G001' | 'G002'`. */
export type GraphCode = never;

export type DiagnosticCode = FrontEndCode | GraphCode;

/** Short title of each code: what kind of problem it is (the message says the specifics). */
export const CODE_TITLES: Record<DiagnosticCode, string> = {
  Y001: 'cannot read the spec file',
  Y002: 'empty spec',
  Y003: 'YAML syntax error',
  Y004: 'duplicate key',
  Y005: 'the spec is not a mapping',
  Y006: 'unsupported spec version',
  Y007: 'YAML warning',
  S001: 'unknown key',
  S002: 'missing required key',
  S003: 'wrong type',
  S004: 'invalid value',
  S005: 'value out of range',
  S006: 'invalid name',
  S007: 'reserved name',
  S008: 'unknown op',
  S009: 'duplicate list item',
  S010: 'does not match the schema',
  R001: 'malformed reference',
  N001: 'section does not fit the task',
  N002: 'conflicting decode options',
  N003: 'option does not apply here',
};

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(CODE_TITLES, code);
}
