/**
 * Named constructors for diagnostics, so call sites read as what went wrong
 * (`unknownKey(...)`, `missingKey(...)`) and wording lives in one place. Stages collect the results
 * and return them in a `Result`; nothing here throws.
 */
import type { DiagnosticCode } from './codes.js';
import type { Diagnostic, RelatedNote, Result, Severity, SourceRange } from './types.js';

/** Where a diagnostic points: the file, the offending text, and the JSON pointer of the spec key. */
export interface Site { file: string; range: SourceRange; path: string }

export interface DiagnosticInit extends Site {
  code: DiagnosticCode;
  message: string;
  severity?: Severity;
  notes?: RelatedNote[];
  help?: string;
  suggestion?: string;
}

/** The general constructor every named factory (and other stages) builds on. */
export function diagnostic(init: DiagnosticInit): Diagnostic {
  const d: Diagnostic = {
    code: init.code,
    severity: init.severity ?? 'error',
    message: init.message,
    file: init.file,
    range: init.range,
    path: init.path,
    notes: init.notes ?? [],
  };
  if (init.help !== undefined) d.help = init.help;
  if (init.suggestion !== undefined) d.suggestion = init.suggestion;
  return d;
}

/** `help:` text for a suggestion, or the fallback list when there is none. */
export function didYouMean(suggestion: string | undefined, fallback?: string): string | undefined {
  return suggestion !== undefined ? `did you mean \`${suggestion}\`?` : fallback;
}

/** Formats `a, b or c` with backticks, for "expected one of" lists. */
export function listOf(values: readonly unknown[], conjunction = 'or'): string {
  const items = values.map((v) => `\`${String(v)}\``);
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

const EMPTY: SourceRange = { start: 0, end: 0 };

export function fileUnreadable(file: string, reason: string): Diagnostic {
  return diagnostic({ code: 'Y001', message: `cannot read the spec file: ${reason}`, file, range: EMPTY, path: '' });
}

export function emptySpec(file: string, range: SourceRange = EMPTY): Diagnostic {
  return diagnostic({
    code: 'Y002', message: 'the spec is empty', file, range, path: '',
    help: 'start from an example in models/, e.g. models/d2l-seq2seq-gru.yaml',
  });
}

export function yamlSyntax(site: Site, message: string, yamlCode: string): Diagnostic {
  return diagnostic({ ...site, code: 'Y003', message, notes: [{ message: `YAML error ${yamlCode}` }] });
}

export function duplicateKey(site: Site, key: string, first?: SourceRange): Diagnostic {
  return diagnostic({
    ...site, code: 'Y004', message: `duplicate key \`${key}\``,
    notes: first ? [{ message: `\`${key}\` first defined here`, range: first }] : [],
    help: 'each key may appear once in a mapping; remove or rename one of them',
  });
}

export function rootNotMapping(site: Site, found: string): Diagnostic {
  return diagnostic({
    ...site, code: 'Y005', message: `the spec must be a mapping of keys (\`seqloom:\`, \`name:\`, …), found ${found}`,
  });
}

export function unsupportedVersion(site: Site, found: string): Diagnostic {
  return diagnostic({
    ...site, code: 'Y006', message: `unsupported spec version ${found}; this seqloom reads version 1`,
    suggestion: '1', help: 'write `seqloom: 1`',
  });
}

export function yamlWarning(site: Site, message: string): Diagnostic {
  return diagnostic({ ...site, code: 'Y007', severity: 'warning', message });
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** A failed stage: no value, the diagnostics that explain why. */
export function failure<T>(diagnostics: Diagnostic[]): Result<T> {
  return { value: null, diagnostics };
}

/** Source order, errors before warnings at the same spot, so output is stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const rank: Record<Severity, number> = { error: 0, warning: 1, note: 2 };
  return [...diagnostics].sort(
    (a, b) => a.range.start - b.range.start || rank[a.severity] - rank[b.severity] || a.code.localeCompare(b.code),
  );
}
