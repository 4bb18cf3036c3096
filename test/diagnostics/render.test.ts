import { describe, expect, it } from 'vitest';
import { diagnostic, sortDiagnostics } from '../../src/diagnostics/factories.js';
import { LineIndex, renderDiagnostic, summarize, toJsonDiagnostic } from '../../src/diagnostics/render.js';

const TEXT = 'seqloom: 1\nname: x\ngraph:\n  a: { op: dens }\n';
const at = (needle: string, text = TEXT) => ({ start: text.indexOf(needle), end: text.indexOf(needle) + needle.length });

describe('LineIndex', () => {
  it('maps offsets to 1-based lines and columns (LF, CRLF, CR)', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const text = ['ab', 'cde', '', 'f'].join(nl);
      const index = new LineIndex(text);
      expect(index.lineCount).toBe(4);
      expect(index.position(0)).toEqual({ line: 1, column: 1 });
      expect(index.position(text.indexOf('d'))).toEqual({ line: 2, column: 2 });
      expect(index.position(text.indexOf('f'))).toEqual({ line: 4, column: 1 });
      expect(index.lineText(2)).toBe('cde');
      expect(index.lineText(3)).toBe('');
    }
  });
  it('clamps offsets outside the text and ignores a byte-order mark', () => {
    const index = new LineIndex('\uFEFFab\ncd');
    expect(index.position(-5)).toEqual({ line: 1, column: 1 });
    expect(index.position(999)).toEqual({ line: 2, column: 3 });
    expect(index.lineText(1)).toBe('ab');
  });
});

describe('renderDiagnostic', () => {
  it('prints the header, the source line and carets under the range, then notes and help', () => {
    const d = diagnostic({
      code: 'S008', file: 'spec.yaml', range: at('dens'), path: '/graph/a/op', message: 'unknown op `dens`',
      notes: [{ message: 'ops are listed in SPEC-FORMAT.md' }, { message: 'the node', range: at('a:') }],
      help: 'did you mean `dense`?', suggestion: 'dense',
    });
    expect(renderDiagnostic(d, TEXT)).toBe([
      'spec.yaml:4:12: error[S008]: unknown op `dens`',
      '   |',
      ' 4 |   a: { op: dens }',
      '   |            ^^^^',
      '   = note: ops are listed in SPEC-FORMAT.md',
      '   = note: the node',
      '  --> spec.yaml:4:3',
      '   |',
      ' 4 |   a: { op: dens }',
      '   |   ^^',
      '   = help: did you mean `dense`?',
    ].join('\n'));
  });
  it('keeps tabs so the carets line up, and marks a multi-line range to the end of its first line', () => {
    const text = 'a:\t{ x: 1,\n  y: 2 }\n';
    const d = diagnostic({ code: 'S003', file: 'f', range: { start: text.indexOf('{'), end: text.length - 1 }, path: '/a', message: 'm' });
    const lines = renderDiagnostic(d, text).split('\n');
    expect(lines[2]).toBe(' 1 | a:\t{ x: 1,');
    expect(lines[3]).toBe('   |   \t^^^^^^^');
  });
  it('prints one caret for an empty range and widens the gutter for long files', () => {
    const text = `${'x: 1\n'.repeat(120)}y: 2\n`;
    const start = text.indexOf('y');
    const out = renderDiagnostic(diagnostic({ code: 'S002', file: 'f', range: { start, end: start }, path: '', message: 'm' }), text);
    expect(out.split('\n').slice(1)).toEqual(['    |', '121 | y: 2', '    | ^']);
  });
  it('omits position and frame when there is no source', () => {
    const d = diagnostic({ code: 'Y001', file: 'gone.yaml', range: { start: 0, end: 0 }, path: '', message: 'cannot read' });
    expect(renderDiagnostic(d, null)).toBe('gone.yaml: error[Y001]: cannot read');
  });
});

describe('toJsonDiagnostic', () => {
  it('gives 1-based start and exclusive end positions, with the suggestion when there is one', () => {
    const d = diagnostic({ code: 'S008', file: 'spec.yaml', range: at('dens'), path: '/graph/a/op', message: 'm', suggestion: 'dense' });
    expect(toJsonDiagnostic(d, TEXT)).toEqual({
      code: 'S008', severity: 'error', message: 'm', file: 'spec.yaml', line: 4, column: 12, endLine: 4, endColumn: 16,
      path: '/graph/a/op', suggestion: 'dense',
    });
    const plain = diagnostic({ code: 'S001', file: 'f', range: at('name'), path: '/name', message: 'm' });
    expect(Object.keys(toJsonDiagnostic(plain, TEXT))).not.toContain('suggestion');
  });
});

describe('sorting and summaries', () => {
  it('orders by position, errors first at one spot, and counts by severity', () => {
    const mk = (start: number, severity: 'error' | 'warning') =>
      diagnostic({ code: 'S001', severity, file: 'f', range: { start, end: start }, path: '', message: String(start) });
    const sorted = sortDiagnostics([mk(9, 'error'), mk(2, 'warning'), mk(2, 'error')]);
    expect(sorted.map((d) => [d.range.start, d.severity])).toEqual([[2, 'error'], [2, 'warning'], [9, 'error']]);
    expect(summarize(sorted)).toBe('2 errors, 1 warning');
    expect(summarize([])).toBe('');
  });
});
