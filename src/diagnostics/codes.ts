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
 *   M — the resource guard: memory a training run needs vs what the backend has (src/guard/)
 */
export type FrontEndCode =
  | 'Y001' | 'Y002' | 'Y003' | 'Y004' | 'Y005' | 'Y006' | 'Y007'
  | 'S001' | 'S002' | 'S003' | 'S004' | 'S005' | 'S006' | 'S007' | 'S008' | 'S009' | 'S010'
  | 'R001'
  | 'N001' | 'N002' | 'N003' | 'N004' | 'N005';

/** Graph codes (src/graph/diagnostics.ts has one named factory per code). */
export type GraphCode =
  | 'G001' | 'G002' | 'G003' | 'G004' | 'G005' | 'G006' | 'G007' | 'G008' | 'G009' | 'G010'
  | 'G011' | 'G012' | 'G013' | 'G014' | 'G015' | 'G016' | 'G017' | 'G018' | 'G019' | 'G020'
  | 'G021' | 'G022' | 'G023' | 'G024' | 'G025' | 'G026' | 'G027' | 'G028' | 'G029' | 'G030'
  | 'G031';

/** Resource-guard codes (src/guard/). */
export type GuardCode = 'M001';

export type DiagnosticCode = FrontEndCode | GraphCode | GuardCode;

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
  N004: 'conflicting data options',
  N005: 'conflicting training options',
  G001: 'unknown reference',
  G002: 'duplicate node name',
  G003: 'stream not in this task',
  G004: 'cycle not broken by `.prev`',
  G005: '`.prev` does not close a loop',
  G006: 'invalid delayed reference',
  G007: 'not a recurrent node',
  G008: 'whole state used outside `init`',
  G009: '`init` is not a state',
  G010: '`init` state: cell kind mismatch',
  G011: '`init` state: layer count mismatch',
  G012: '`init` state: hidden size mismatch',
  G013: '`init` state: direction mismatch',
  G014: 'concat of a sequence and a vector',
  G015: 'concat over different time axes',
  G016: 'width cannot be computed',
  G017: 'embedding input is not a stream',
  G018: 'token ids need an embedding',
  G019: 'expected a sequence',
  G020: 'repeat input is already a sequence',
  G021: 'attention width mismatch',
  G022: 'attention keys and values differ in length',
  G023: 'invalid attention mask',
  G024: 'output is not a node',
  G025: 'output is not a dense over the vocabulary',
  G026: 'output is not on the target time axis',
  G027: 'bidirectional recurrence on the decoding side',
  G028: 'no stream reaches this node',
  G029: 'unused node',
  G030: 'decoding-side value over the source time axis',
  G031: '`init` from the decoding side',
  M001: 'not enough memory to train',
};

export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(CODE_TITLES, code);
}
