/**
 * One golden per graph diagnostic code: the complete stderr of `seqloom graph` (frame, notes, help)
 * for a spec with exactly that problem. Goldens: test/graph/golden/diagnostics/<CODE>.txt;
 * `npx vitest run -u test/graph` rewrites them.
 */
import { describe, expect, it } from 'vitest';
import { graphCommand } from '../../src/cli/commands/graph.js';
import { CODE_TITLES } from '../../src/diagnostics/codes.js';
import { renderDiagnostics } from '../../src/diagnostics/render.js';
import { buildGraph } from '../../src/graph/index.js';
import { languageModel, seq2seq, specFromYaml, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

const FILE = 'models/spec.yaml';
const D2L = D2L_SEQ2SEQ;
const ATT = ATTENTION_SEQ2SEQ;

const CASES: Record<string, string> = {
  G001: variant(D2L, 'input: src_emb,', 'input: src_embb,'),
  G003: variant(D2L, 'units: target.vocab', 'units: tokens.vocab'),
  G004: variant(ATT, 'query: decoder.prev', 'query: decoder'),
  G005: variant(D2L, 'input: decoder, units', 'input: decoder.prev, units'),
  G006: variant(ATT, 'query: decoder.prev', 'query: encoder.prev'),
  G007: variant(D2L, 'input: encoder.state.top', 'input: src_emb.state.top'),
  G008: variant(D2L, 'input: encoder.state.top', 'input: encoder.state'),
  G009: variant(D2L, 'init: encoder.state', 'init: encoder.state.top'),
  G010: variant(D2L, 'cell: gru, input: dec_in', 'cell: lstm, input: dec_in'),
  G011: variant(D2L, 'hidden: 32, layers: 2, dropout: 0.1, init', 'hidden: 32, layers: 3, dropout: 0.1, init'),
  G012: variant(D2L, 'input: dec_in, hidden: 32', 'input: dec_in, hidden: 64'),
  G013: variant(D2L, 'layers: 2, dropout: 0.1 }', 'layers: 2, dropout: 0.1, bidirectional: true }'),
  G014: variant(D2L, 'inputs: [tgt_emb, context]', 'inputs: [tgt_emb, encoder.state.top]'),
  G015: variant(D2L, 'inputs: [tgt_emb, context]', 'inputs: [tgt_emb, src_emb]'),
  G016: seq2seq(`
    tgt_emb: { op: embedding, input: target, dim: 8 }
    scores:  { op: dense, input: tgt_emb, units: target.vocab }
    both:    { op: concat, inputs: [tgt_emb, scores] }
    logits:  { op: dense, input: both, units: target.vocab }`),
  G017: variant(D2L, 'input: target, dim: 32', 'input: src_emb, dim: 32'),
  G018: variant(D2L, 'input: src_emb,', 'input: source,'),
  G019: variant(D2L, 'input: dec_in,', 'input: encoder.state.top,'),
  G020: variant(D2L, 'input: encoder.state.top', 'input: encoder'),
  G021: variant(variant(variant(ATT, 'kind: additive', 'kind: dot'), 'src_emb, hidden: 32', 'src_emb, hidden: 48'),
    'layers: 2, init: encoder.state }', 'layers: 2 }'),
  G022: variant(ATT, 'values: encoder', 'values: tgt_emb'),
  G023: variant(ATT, 'mask: source', 'mask: target'),
  G024: variant(D2L, 'output: logits', 'output: target'),
  G025: variant(D2L, 'output: logits', 'output: decoder'),
  G026: variant(D2L, 'input: decoder, units', 'input: encoder, units'),
  G027: variant(CHAR_LM, 'hidden: 256 }', 'hidden: 256, bidirectional: true }'),
  G028: languageModel(`
    emb:    { op: embedding, input: tokens, dim: 8 }
    fb:     { op: dense, input: spin.prev, units: 8 }
    spin:   { op: recurrent, cell: gru, input: fb, hidden: 8 }
    both:   { op: concat, inputs: [emb, spin] }
    logits: { op: dense, input: both, units: tokens.vocab }`),
  G029: variant(D2L, 'output: logits', '  extra:    { op: dense, input: decoder, units: 5 }\noutput: logits'),
  G030: seq2seq(`
    src_emb: { op: embedding, input: source, dim: 8 }
    encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 8 }
    tgt_emb: { op: embedding, input: target, dim: 8 }
    att:     { op: attention, kind: dot, query: encoder, keys: tgt_emb, values: tgt_emb }
    logits:  { op: dense, input: att, units: target.vocab }`),
  G031: variant(variant(D2L, 'output: logits', '  second:   { op: recurrent, cell: gru, input: decoder, hidden: 32, layers: 2, init: decoder.state }\noutput: logits'),
    'input: decoder, units', 'input: second, units'),
};

describe('graph diagnostic goldens', () => {
  for (const [code, text] of Object.entries(CASES)) {
    it(`${code} (${CODE_TITLES[code as keyof typeof CODE_TITLES]})`, async () => {
      const out = graphCommand(text, FILE);
      const errors = [...out.stderr.matchAll(/(?:error|warning)\[(\w+)\]/g)].map((m) => m[1]).filter((c) => c !== 'G029' || code === 'G029');
      // One problem each (G028 names every node of the stream-less loop); an output moved away leaves unused nodes (G029).
      expect(new Set(errors)).toEqual(new Set([code]));
      await expect(`${out.stderr}--- exit ${out.exitCode}\n`).toMatchFileSnapshot(`golden/diagnostics/${code}.txt`);
    });
  }

  it('G002 (duplicate node name; hand-built, YAML rejects duplicate keys first)', async () => {
    const spec = specFromYaml(D2L, FILE);
    spec.nodes.splice(3, 0, { ...spec.nodes[0]!, nameRange: spec.nodes[2]!.nameRange });
    const { diagnostics } = buildGraph(spec);
    expect(diagnostics.map((d) => d.code)).toEqual(['G002']);
    await expect(`${renderDiagnostics(diagnostics, D2L)}\n`).toMatchFileSnapshot('golden/diagnostics/G002.txt');
  });

  it('covers every graph code', () => {
    const covered = new Set([...Object.keys(CASES), 'G002']);
    expect(Object.keys(CODE_TITLES).filter((c) => c.startsWith('G') && !covered.has(c))).toEqual([]);
  });
});
