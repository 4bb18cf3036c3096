/**
 * Property: whatever is done to a valid spec's text (keys and values deleted, replaced or inserted,
 * the text cut short, indentation broken, YAML punctuation sprinkled in), validation never throws,
 * every diagnostic points inside the file, and both renderers handle it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSpecText } from '../../src/cli/commands/validate.js';
import { LineIndex, renderDiagnostic, toJsonDiagnostic } from '../../src/diagnostics/render.js';
import { LANGUAGE_MODEL, SEQ2SEQ, exampleSpecs } from './helpers.js';

const BASES = [SEQ2SEQ, LANGUAGE_MODEL, ...exampleSpecs().map((e) => e.text)];

const WORDS = [
  'op', 'embedding', 'recurrent', 'dense', 'concat', 'repeat', 'dropout', 'attention', 'cell', 'gru', 'lstm', 'rnn',
  'input', 'inputs', 'hidden', 'layers', 'init', 'units', 'target.vocab', 'source', 'target', 'tokens', 'encoder',
  'encoder.state', 'encoder.state.top', 'decoder.prev', 'x.y.z', 'query', 'keys', 'values', 'mask', 'like', 'dim',
  'seqloom', 'name', 'task', 'seq2seq', 'language-model', 'graph', 'output', 'data', 'train', 'decode', 'class',
  '0', '-1', '1.5', '1e9', '.inf', '.nan', '~', 'null', 'true', '""', "''", '[]', '{}', '[a, b]', '{ a: 1 }',
  '{', '}', '[', ']', ':', ': ', ',', '-', '- ', '#', '&a', '*a', '<<: *a', '!!binary', '!tag', '|', '>', '?', '%', '@',
  '"unterminated', "'x", '\t', '\uFEFF', '日本語', '\r\n', '---', '...', '\\', '$', '__proto__', 'constructor',
];

type Mutation = (text: string) => string;
const lines = (t: string) => t.split('\n');

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  // delete a line (a key and its value)
  fc.nat().map((i) => (t: string) => { const l = lines(t); l.splice(i % l.length, 1); return l.join('\n'); }),
  // duplicate a line (duplicate keys)
  fc.nat().map((i) => (t: string) => { const l = lines(t); const k = i % l.length; l.splice(k, 0, l[k]!); return l.join('\n'); }),
  // replace a word or value
  fc.tuple(fc.nat(), fc.constantFrom(...WORDS)).map(([i, w]) => (t: string) => {
    const spans = [...t.matchAll(/[\w.-]+/g)];
    if (spans.length === 0) return t;
    const m = spans[i % spans.length]!;
    return t.slice(0, m.index) + w + t.slice(m.index! + m[0].length);
  }),
  // insert a key: value line at some indentation
  fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.constantFrom(...WORDS), fc.constantFrom(...WORDS)).map(([i, indent, k, v]) =>
    (t: string) => { const l = lines(t); l.splice(i % (l.length + 1), 0, `${' '.repeat(indent)}${k}: ${v}`); return l.join('\n'); }),
  // insert raw text anywhere
  fc.tuple(fc.nat(), fc.constantFrom(...WORDS)).map(([i, w]) => (t: string) => { const at = i % (t.length + 1); return t.slice(0, at) + w + t.slice(at); }),
  // cut the text short
  fc.nat().map((i) => (t: string) => t.slice(0, i % (t.length + 1))),
  // break a line's indentation
  fc.tuple(fc.nat(), fc.integer({ min: -3, max: 3 })).map(([i, d]) => (t: string) => {
    const l = lines(t); const k = i % l.length;
    l[k] = d >= 0 ? ' '.repeat(d) + l[k] : l[k]!.replace(new RegExp(`^ {0,${-d}}`), '');
    return l.join('\n');
  }),
  // swap two lines
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]) => (t: string) => {
    const l = lines(t); const a = i % l.length; const b = j % l.length;
    [l[a], l[b]] = [l[b]!, l[a]!];
    return l.join('\n');
  }),
);

const mutatedSpec = fc.tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 4 }))
  .map(([base, ms]) => ms.reduce((t, m) => m(t), base));

describe('validate on mutated specs', () => {
  it('never throws, and every diagnostic lies inside the file', async () => {
    await fc.assert(fc.asyncProperty(mutatedSpec, async (text) => {
      const check = await checkSpecText(text, 'spec.yaml');
      const index = new LineIndex(text);
      for (const d of check.diagnostics) {
        const json = toJsonDiagnostic(d, index);
        expect(json.line).toBeGreaterThanOrEqual(1);
        expect(json.endLine).toBeLessThanOrEqual(index.lineCount);
        expect(json.line).toBeLessThanOrEqual(json.endLine);
        expect(d.range.start).toBeGreaterThanOrEqual(0);
        expect(d.range.end).toBeLessThanOrEqual(index.text.length);
        expect(d.range.start).toBeLessThanOrEqual(d.range.end);
        for (const note of d.notes) if (note.range) expect(note.range.end).toBeLessThanOrEqual(index.text.length);
        expect(renderDiagnostic(d, index).startsWith(`spec.yaml:${json.line}:${json.column}: ${d.severity}[${d.code}]: `)).toBe(true);
      }
      // A spec the front end rejects always says why.
      if (check.spec === null) expect(check.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    }), { numRuns: Number(process.env.SEQLOOM_FUZZ_RUNS ?? 300) });
  });
});
