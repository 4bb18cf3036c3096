/**
 * Diagnostics as people and programs read them. Offsets are kept until now (yaml's habit); here
 * they become 1-based lines and columns. Terminal form (rustc/esbuild style):
 *
 *   models/x.yaml:12:36: error[S004]: unknown cell `gur`
 *      |
 *   12 |   encoder: { op: recurrent, cell: gur, input: src_emb, hidden: 32 }
 *      |                                   ^^^
 *      = note: …
 *      = help: did you mean `gru`?
 *
 * All offsets index the source with any byte-order mark removed (see `stripBom`).
 */
import type { Diagnostic, SourceRange } from './types.js';

export interface Position { line: number; column: number }

/** The form `seqloom validate --json` prints: 1-based, end exclusive. */
export interface JsonDiagnostic {
  code: string;
  severity: Diagnostic['severity'];
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  path: string;
  suggestion?: string;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Start offsets of every line, for offset → line/column lookups. */
export class LineIndex {
  readonly text: string;
  private readonly starts: number[] = [0];

  constructor(source: string) {
    this.text = stripBom(source);
    for (let i = 0; i < this.text.length; i++) {
      const ch = this.text.charCodeAt(i);
      if (ch === 10) this.starts.push(i + 1);
      else if (ch === 13 && this.text.charCodeAt(i + 1) !== 10) this.starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line and column of an offset (clamped into the text). */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo]! + 1 };
  }

  /** Text of a 1-based line without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line] ?? this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$|\r$/, '');
  }
}

function rangePositions(index: LineIndex, range: SourceRange): { start: Position; end: Position } {
  const start = index.position(range.start);
  const end = index.position(Math.max(range.start, range.end));
  return { start, end };
}

export function toJsonDiagnostic(d: Diagnostic, sourceText: string | LineIndex | null): JsonDiagnostic {
  const index = sourceText instanceof LineIndex ? sourceText : new LineIndex(sourceText ?? '');
  const { start, end } = rangePositions(index, d.range);
  const json: JsonDiagnostic = {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.file,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    path: d.path,
  };
  if (d.suggestion !== undefined) json.suggestion = d.suggestion;
  return json;
}

/** The `^^^` under a range's first line; tabs copied so the marks line up. */
function frame(index: LineIndex, range: SourceRange, gutter: number): string[] {
  const { start, end } = rangePositions(index, range);
  const text = index.lineText(start.line);
  const pad = ' '.repeat(gutter);
  const lastColumn = end.line === start.line ? end.column : text.length + 1;
  const width = Math.max(1, lastColumn - start.column);
  const lead = text.slice(0, start.column - 1).replace(/[^\t]/g, ' ');
  return [
    `${pad} |`,
    `${String(start.line).padStart(gutter)} | ${text}`,
    `${pad} | ${lead}${'^'.repeat(width)}`,
  ];
}

/**
 * One diagnostic as the terminal shows it. `sourceText` is the spec's text (null when the file
 * could not be read: then only the header line is printed).
 */
export function renderDiagnostic(d: Diagnostic, sourceText: string | LineIndex | null): string {
  const index = sourceText === null ? null : sourceText instanceof LineIndex ? sourceText : new LineIndex(sourceText);
  const lines: string[] = [];
  const hasSource = index !== null && index.text.length > 0;
  if (index === null) {
    lines.push(`${d.file}: ${d.severity}[${d.code}]: ${d.message}`);
  } else {
    const start = index.position(d.range.start);
    lines.push(`${d.file}:${start.line}:${start.column}: ${d.severity}[${d.code}]: ${d.message}`);
  }
  const located = hasSource ? [d.range, ...d.notes.flatMap((n) => (n.range ? [n.range] : []))] : [];
  const gutter = Math.max(2, ...located.map((r) => String(index!.position(r.end).line).length));
  const pad = ' '.repeat(gutter);
  if (hasSource) lines.push(...frame(index, d.range, gutter));
  for (const note of d.notes) {
    if (note.range && hasSource) {
      const at = index.position(note.range.start);
      lines.push(`${pad} = note: ${note.message}`, `${pad}--> ${d.file}:${at.line}:${at.column}`);
      lines.push(...frame(index, note.range, gutter));
    } else {
      lines.push(`${pad} = note: ${note.message}`);
    }
  }
  if (d.help !== undefined) lines.push(`${pad} = help: ${d.help}`);
  return lines.join('\n');
}

/** Several diagnostics, a blank line apart, sharing one line index. */
export function renderDiagnostics(diagnostics: readonly Diagnostic[], sourceText: string | null): string {
  const index = sourceText === null ? null : new LineIndex(sourceText);
  return diagnostics.map((d) => renderDiagnostic(d, index)).join('\n\n');
}

/** `2 errors, 1 warning` (empty string when there are none). */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}
