/** Output and whole-graph checks (G024–G031). */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/graph/index.js';
import { graphDiagnostics, languageModel, lineContaining, lineOf, loadSpec, only, seq2seq, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

describe('output', () => {
  it('G024: the output must be a node value, not a stream or a state', () => {
    for (const out of ['target', 'decoder.state']) {
      const text = variant(D2L_SEQ2SEQ, 'output: logits', `output: ${out}`);
      const d = only(graphDiagnostics(text).filter((x) => x.severity === 'error'), 'G024');
      expect(lineOf(text, d)).toBe(lineContaining(text, 'output:'));
    }
  });

  it('G025: the output is not a dense (at the output line, noting the node)', () => {
    const text = variant(D2L_SEQ2SEQ, 'output: logits', 'output: decoder');
    const d = only(graphDiagnostics(text), 'G025');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'output:'));
    expect(lineOf(text, { range: d.notes[0]!.range! })).toBe(lineContaining(text, 'decoder:'));
    expect(d.message).toContain('target.vocab');
  });

  it('G025: a dense over the wrong size (at its units, noting the output line)', () => {
    for (const units of ['100', 'source.vocab']) {
      const text = variant(D2L_SEQ2SEQ, 'units: target.vocab', `units: ${units}`);
      const d = only(graphDiagnostics(text), 'G025');
      expect(text.slice(d.range.start, d.range.end)).toBe(units);
      expect(lineOf(text, { range: d.notes[0]!.range! })).toBe(lineContaining(text, 'output:'));
    }
    const lm = variant(CHAR_LM, 'units: tokens.vocab', 'units: 64');
    expect(lineOf(lm, only(graphDiagnostics(lm), 'G025'))).toBe(lineContaining(lm, 'logits:'));
  });

  it('G026: logits over the source time axis', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: decoder, units', 'input: encoder, units');
    const d = only(graphDiagnostics(text), 'G026');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'logits:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('encoder');
    expect(d.message).toContain('T_src');
  });

  it('G026: logits from a vector', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: decoder, units', 'input: decoder.state.top, units');
    expect(only(graphDiagnostics(text), 'G026').message).toContain('no time axis');
  });
});

describe('whole graph', () => {
  it('G027: a bidirectional recurrence on the decoding side', () => {
    const text = variant(ATTENTION_SEQ2SEQ, 'hidden: 32, layers: 2, init: encoder.state }', 'hidden: 16, layers: 2, bidirectional: true }');
    const d = only(graphDiagnostics(text), 'G027');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'decoder:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('true');
    const lm = variant(CHAR_LM, 'hidden: 256 }', 'hidden: 256, bidirectional: true }');
    expect(only(graphDiagnostics(lm), 'G027').message).toContain('`tokens`');
  });

  it('a bidirectional encoder is fine', () => {
    const text = variant(
      variant(D2L_SEQ2SEQ, 'layers: 2, dropout: 0.1 }', 'layers: 2, dropout: 0.1, bidirectional: true }'),
      'input: dec_in, hidden: 32, layers: 2, dropout: 0.1, init: encoder.state', 'input: dec_in, hidden: 32, layers: 2, dropout: 0.1',
    );
    expect(graphDiagnostics(text)).toEqual([]);
    expect(buildGraph(loadSpec(text)).value!.nodes.context!.width).toBe(64); // state.top: both directions
  });

  it('G028: a loop no stream reaches', () => {
    const text = languageModel(`
      emb:    { op: embedding, input: tokens, dim: 8 }
      rnn:    { op: recurrent, cell: gru, input: emb, hidden: 8 }
      fb:     { op: dense, input: spin.prev, units: 8 }
      spin:   { op: recurrent, cell: gru, input: fb, hidden: 8 }
      both:   { op: concat, inputs: [rnn, spin] }
      logits: { op: dense, input: both, units: tokens.vocab }`);
    const ds = graphDiagnostics(text).filter((d) => d.code === 'G028');
    expect(ds.map((d) => lineOf(text, d))).toEqual([lineContaining(text, 'fb:'), lineContaining(text, 'spin:')]);
  });

  it('G029: an unused node is a warning; the graph still builds', () => {
    const text = variant(D2L_SEQ2SEQ, 'output: logits', 'extra:    { op: dense, input: decoder, units: 5 }\noutput: logits')
      .replace('extra:', '  extra:');
    const r = buildGraph(loadSpec(text));
    const d = only(r.diagnostics, 'G029');
    expect(d.severity).toBe('warning');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'extra:'));
    expect(r.value).not.toBeNull();
  });

  it('G030: a decoding-side value over the source time axis', () => {
    const text = seq2seq(`
      src_emb: { op: embedding, input: source, dim: 8 }
      encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 8 }
      tgt_emb: { op: embedding, input: target, dim: 8 }
      att:     { op: attention, kind: dot, query: encoder, keys: tgt_emb, values: tgt_emb }
      logits:  { op: dense, input: att, units: target.vocab }`);
    const d = only(graphDiagnostics(text), 'G030');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'att:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('encoder');
    expect(d.path).toBe('/graph/att/query');
  });

  it('G031: init from a state the decoding side computes', () => {
    const text = variant(
      variant(D2L_SEQ2SEQ, 'output: logits', '  second: { op: recurrent, cell: gru, input: decoder, hidden: 32, layers: 2, init: decoder.state }\noutput: logits'),
      'input: decoder, units', 'input: second, units',
    );
    const d = only(graphDiagnostics(text), 'G031');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'second:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('decoder.state');
  });

  it('errors come in source order', () => {
    const text = variant(variant(D2L_SEQ2SEQ, 'input: src_emb,', 'input: src_embx,'), 'input: decoder, units', 'input: decodr, units');
    const lines = graphDiagnostics(text).map((d) => lineOf(text, d));
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
    expect(lines).toHaveLength(2);
  });
});
