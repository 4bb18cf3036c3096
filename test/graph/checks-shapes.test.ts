/**
 * Shape and unit checks (G010–G023): encoder/decoder state compatibility, concat ranks and time
 * axes, what each op accepts. Each error sits on the line that must change; mismatches note the
 * other side.
 */
import { describe, expect, it } from 'vitest';
import { graphDiagnostics, lineContaining, lineOf, only, seq2seq, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, D2L_SEQ2SEQ } from './specs.js';

const noteLine = (text: string, d: { notes: Array<{ range?: { start: number; end: number } }> }, i = 0): number =>
  lineOf(text, { range: d.notes[i]!.range! });

describe('init state compatibility', () => {
  it('G010: LSTM {h, c} vs GRU {h}: at the decoder cell, noting the encoder cell', () => {
    const text = variant(D2L_SEQ2SEQ, 'cell: gru, input: dec_in', 'cell: lstm, input: dec_in');
    const d = only(graphDiagnostics(text), 'G010');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'decoder:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('lstm');
    expect(noteLine(text, d)).toBe(lineContaining(text, 'encoder:'));
    expect(d.message).toContain('{h, c}');
  });

  it('GRU and RNN states are both {h}: compatible', () => {
    const text = variant(D2L_SEQ2SEQ, 'cell: gru, input: dec_in', 'cell: rnn, input: dec_in');
    expect(graphDiagnostics(text)).toEqual([]);
  });

  it('G011: layer count, at the decoder layers', () => {
    const text = variant(D2L_SEQ2SEQ, 'hidden: 32, layers: 2, dropout: 0.1, init', 'hidden: 32, layers: 1, dropout: 0.1, init');
    const d = only(graphDiagnostics(text), 'G011');
    expect(text.slice(d.range.start, d.range.end)).toBe('1');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'decoder:'));
    expect(noteLine(text, d)).toBe(lineContaining(text, 'encoder:'));
  });

  it('G012: hidden size', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: dec_in, hidden: 32', 'input: dec_in, hidden: 64');
    const d = only(graphDiagnostics(text), 'G012');
    expect(text.slice(d.range.start, d.range.end)).toBe('64');
    expect(d.message).toContain('hidden size 64');
    expect(d.message).toContain('hidden size 32');
  });

  it('G013: a bidirectional encoder cannot start a unidirectional decoder', () => {
    const text = variant(D2L_SEQ2SEQ, 'layers: 2, dropout: 0.1 }', 'layers: 2, dropout: 0.1, bidirectional: true }');
    const d = only(graphDiagnostics(text), 'G013');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'decoder:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('encoder.state');
    expect(noteLine(text, d)).toBe(lineContaining(text, 'bidirectional: true'));
  });
});

describe('concat', () => {
  it('G014: a vector beside a sequence needs repeat', () => {
    const text = variant(D2L_SEQ2SEQ, 'inputs: [tgt_emb, context]', 'inputs: [tgt_emb, encoder.state.top]');
    const d = only(graphDiagnostics(text), 'G014');
    expect(text.slice(d.range.start, d.range.end)).toBe('encoder.state.top');
    expect(d.help).toBe('repeat it over time first: `{ op: repeat, input: encoder.state.top, like: tgt_emb }`');
    expect(noteLine(text, d)).toBe(lineContaining(text, 'dec_in:'));
  });

  it('G015: sequences over different time axes', () => {
    const text = variant(D2L_SEQ2SEQ, 'inputs: [tgt_emb, context]', 'inputs: [tgt_emb, src_emb]');
    const d = only(graphDiagnostics(text), 'G015');
    expect(text.slice(d.range.start, d.range.end)).toBe('src_emb');
    expect(d.message).toContain('T_src');
    expect(d.message).toContain('T_tgt');
  });

  it('width: concat sums its inputs (the decoder input size follows)', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: target, dim: 32', 'input: target, dim: 20');
    expect(graphDiagnostics(text)).toEqual([]);
  });

  it('G016: concat of a vocabulary-sized value', () => {
    const text = seq2seq(`
      src_emb: { op: embedding, input: source, dim: 8 }
      tgt_emb: { op: embedding, input: target, dim: 8 }
      scores:  { op: dense, input: tgt_emb, units: target.vocab }
      both:    { op: concat, inputs: [tgt_emb, scores] }
      logits:  { op: dense, input: both, units: target.vocab }`);
    const d = only(graphDiagnostics(text), 'G016');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'both:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('scores');
  });
});

describe('what each op accepts', () => {
  it('G017: an embedding of something that is not a stream', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: target, dim: 32', 'input: src_emb, dim: 32');
    const d = only(graphDiagnostics(text), 'G017');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'tgt_emb:'));
  });

  it('G018: token ids used as features', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: src_emb,', 'input: source,');
    const d = only(graphDiagnostics(text), 'G018');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'encoder:'));
    expect(d.help).toContain('{ op: embedding, input: source');
  });

  it('G019: a recurrent input that is a vector, and repeat.like that is not a sequence', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: dec_in,', 'input: encoder.state.top,');
    const d = only(graphDiagnostics(text), 'G019');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'decoder:'));
    expect(d.help).toContain('op: repeat');
    const like = variant(D2L_SEQ2SEQ, 'like: tgt_emb', 'like: encoder.state.top');
    const l = only(graphDiagnostics(like), 'G019');
    expect(like.slice(l.range.start, l.range.end)).toBe('encoder.state.top');
    expect(l.path).toBe('/graph/context/like');
  });

  it('repeat.like may be a stream (its time steps)', () => {
    expect(graphDiagnostics(variant(D2L_SEQ2SEQ, 'like: tgt_emb', 'like: target'))).toEqual([]);
  });

  it('G020: repeat of a sequence', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: encoder.state.top', 'input: encoder');
    const d = only(graphDiagnostics(text), 'G020');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'context:'));
  });

  it('G021: dot attention with a query narrower than the keys, noting the keys', () => {
    const text = variant(
      variant(ATTENTION_SEQ2SEQ, 'kind: additive', 'kind: dot'),
      'encoder:  { op: recurrent, cell: gru, input: src_emb, hidden: 32', 'encoder:  { op: recurrent, cell: gru, input: src_emb, hidden: 48',
    );
    const ds = graphDiagnostics(text);
    const d = only(ds, 'G021');
    expect(text.slice(d.range.start, d.range.end)).toBe('decoder.prev');
    expect(d.message).toContain('32');
    expect(d.message).toContain('48');
    expect(noteLine(text, d)).toBe(lineContaining(text, 'attn:'));
  });

  it('dot attention with matching widths is fine; additive allows any', () => {
    expect(graphDiagnostics(variant(ATTENTION_SEQ2SEQ, 'kind: additive', 'kind: dot'))).toEqual([]);
  });

  it('G022: values over another time axis than the keys', () => {
    const text = variant(ATTENTION_SEQ2SEQ, 'values: encoder', 'values: tgt_emb');
    const d = only(graphDiagnostics(text), 'G022');
    expect(text.slice(d.range.start, d.range.end)).toBe('tgt_emb');
  });

  it('G023: a mask must be a stream, over the keys\' time axis', () => {
    const node = variant(ATTENTION_SEQ2SEQ, 'mask: source', 'mask: src_emb');
    expect(only(graphDiagnostics(node), 'G023').message).toContain('is a node');
    const wrong = variant(ATTENTION_SEQ2SEQ, 'mask: source', 'mask: target');
    const d = only(graphDiagnostics(wrong), 'G023');
    expect(wrong.slice(d.range.start, d.range.end)).toBe('target');
    expect(d.message).toContain('T_tgt');
  });
});
