/**
 * Reference checks (G001–G009): each error at the line that must change, with its code, and
 * where there is another side, a note pointing at it.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../src/graph/index.js';
import { graphDiagnostics, lineContaining, lineOf, loadSpec, only, specFromYaml, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

describe('graph references', () => {
  it('accepts the d2l seq2seq, the attention decoder and the char LM with no diagnostics', () => {
    for (const text of [D2L_SEQ2SEQ, ATTENTION_SEQ2SEQ, CHAR_LM]) {
      const r = buildGraph(loadSpec(text));
      expect(r.diagnostics).toEqual([]);
      expect(r.value).not.toBeNull();
    }
  });

  it('G001: a dangling reference, with "did you mean" among node names', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: src_emb,', 'input: src_embb,');
    const d = only(graphDiagnostics(text), 'G001');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'src_embb'));
    expect(text.slice(d.range.start, d.range.end)).toBe('src_embb');
    expect(d.suggestion).toBe('src_emb');
    expect(d.help).toBe('did you mean `src_emb`?');
    expect(d.path).toBe('/graph/encoder/input');
  });

  it('G001: a suffixed reference keeps its suffix in the suggestion; the output is checked too', () => {
    const text = variant(variant(D2L_SEQ2SEQ, 'init: encoder.state', 'init: encodr.state'), 'output: logits', 'output: logit');
    const ds = graphDiagnostics(text).filter((d) => d.code === 'G001');
    expect(ds.map((d) => [lineOf(text, d), d.suggestion])).toEqual([
      [lineContaining(text, 'encodr.state'), 'encoder.state'],
      [lineContaining(text, 'output: logit'), 'logits'],
    ]);
  });

  it('G001: no suggestion when nothing is close; help lists the names', () => {
    const d = only(graphDiagnostics(variant(D2L_SEQ2SEQ, 'input: decoder,', 'input: zzzzzz,')), 'G001');
    expect(d.suggestion).toBeUndefined();
    expect(d.help).toContain('`src_emb`');
  });

  it('G002: a duplicate node name (hand-built: YAML itself rejects duplicate keys), noted at the first', () => {
    const spec = specFromYaml(D2L_SEQ2SEQ);
    const copy = { ...spec.nodes[0]!, nameRange: spec.nodes[2]!.nameRange };
    spec.nodes.splice(3, 0, copy);
    const d = only(buildGraph(spec).diagnostics, 'G002');
    expect(d.range).toEqual(spec.nodes[2]!.nameRange);
    expect(d.notes[0]!.range).toEqual(spec.nodes[0]!.nameRange);
  });

  it('G002: a node named like a stream', () => {
    const spec = specFromYaml(D2L_SEQ2SEQ);
    spec.nodes[0] = { ...spec.nodes[0]!, name: 'target' };
    expect(only(buildGraph(spec).diagnostics, 'G002').message).toContain('name of a stream');
  });

  it('G003: a stream the task does not have (input and units)', () => {
    const text = variant(variant(D2L_SEQ2SEQ, 'input: target, dim', 'input: tokens, dim'), 'units: target.vocab', 'units: tokens.vocab');
    const ds = graphDiagnostics(text).filter((d) => d.code === 'G003');
    expect(ds.map((d) => lineOf(text, d))).toEqual([lineContaining(text, 'input: tokens'), lineContaining(text, 'units: tokens.vocab')]);
    expect(ds[0]!.help).toBe('this task\'s streams: `source` or `target`');
    const lm = variant(CHAR_LM, 'input: tokens', 'input: source');
    expect(lineOf(lm, only(graphDiagnostics(lm), 'G003'))).toBe(lineContaining(lm, 'input: source'));
  });

  it('G004: a cycle not broken by .prev, at the reference that reads ahead, with the loop noted', () => {
    const text = variant(ATTENTION_SEQ2SEQ, 'query: decoder.prev', 'query: decoder');
    const d = only(graphDiagnostics(text), 'G004');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'attn:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('decoder');
    expect(d.suggestion).toBe('decoder.prev');
    expect(d.message).toContain('attn → dec_in → decoder → attn');
    expect(d.notes.map((n) => lineOf(text, { range: n.range! }))).toEqual([
      lineContaining(text, 'dec_in:'), lineContaining(text, 'decoder:'),
    ]);
  });

  it('G004: a node reading itself', () => {
    const text = variant(D2L_SEQ2SEQ, 'inputs: [tgt_emb, context]', 'inputs: [tgt_emb, dec_in]');
    const d = only(graphDiagnostics(text), 'G004');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'dec_in:'));
  });

  it('G005: a .prev that closes no loop', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: decoder, units', 'input: decoder.prev, units');
    const d = only(graphDiagnostics(text), 'G005');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'logits:'));
    expect(d.suggestion).toBe('decoder');
  });

  it('G006: a delay on the source side (only decoding runs step by step)', () => {
    const text = variant(ATTENTION_SEQ2SEQ, 'query: decoder.prev', 'query: encoder.prev');
    const d = only(graphDiagnostics(text), 'G006');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'attn:'));
    expect(d.message).toContain('T_src');
  });

  it('G007: .state of a node that is not recurrent', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: encoder.state.top', 'input: src_emb.state.top');
    const d = only(graphDiagnostics(text), 'G007');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'context:'));
    expect(lineOf(text, { range: d.notes[0]!.range! })).toBe(lineContaining(text, 'src_emb:'));
  });

  it('G008: a whole state where features are expected, suggesting .state.top', () => {
    const text = variant(D2L_SEQ2SEQ, 'input: encoder.state.top', 'input: encoder.state');
    const d = only(graphDiagnostics(text), 'G008');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'context:'));
    expect(d.suggestion).toBe('encoder.state.top');
  });

  it('G009: init that is not a whole state', () => {
    const text = variant(D2L_SEQ2SEQ, 'init: encoder.state', 'init: encoder.state.top');
    const d = only(graphDiagnostics(text), 'G009');
    expect(lineOf(text, d)).toBe(lineContaining(text, 'decoder:'));
    expect(text.slice(d.range.start, d.range.end)).toBe('encoder.state.top');
  });
});
