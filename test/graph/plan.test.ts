/**
 * The plan: encode vs decoding side, batched nodes vs per-step loops (strongly connected through
 * `.prev`), carried state, values crossing from encode to decode.
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, planGraph, type Plan } from '../../src/graph/index.js';
import { languageModel, loadSpec, variant } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

const plan = (text: string): Plan => planGraph(buildGraph(loadSpec(text)).value!);
const phases = (p: Plan): Record<string, string> => Object.fromEntries(p.order.map((n) => [n, p.nodes[n]!.phase]));

describe('plan: d2l seq2seq (no .prev)', () => {
  const p = plan(D2L_SEQ2SEQ);

  it('encodes the source side; everything on the target side runs batched over T_tgt', () => {
    expect(p.encode).toEqual(['src_emb', 'encoder']);
    expect(p.loops).toEqual([]);
    expect(p.main).toEqual({
      side: 'target', time: 'T_tgt',
      steps: ['tgt_emb', 'context', 'dec_in', 'decoder', 'logits'].map((node) => ({ kind: 'batched', node })),
    });
    expect(phases(p)).toEqual({
      src_emb: 'encode', encoder: 'encode', tgt_emb: 'decode-batched', context: 'decode-batched',
      dec_in: 'decode-batched', decoder: 'decode-batched', logits: 'decode-batched',
    });
  });

  it('hands the encoder state (and its top layer for the context) to the decoder', () => {
    expect(p.crossings.map((c) => [c.key, c.from, c.part, c.readBy])).toEqual([
      ['encoder_state_top', 'encoder', 'state.top', [{ node: 'context', role: 'input' }]],
      ['encoder_state', 'encoder', 'state', [{ node: 'decoder', role: 'init' }]],
    ]);
    expect(p.nodes.decoder!.inputs.map((i) => [i.role, i.via, i.key])).toEqual([['input', 'node', undefined], ['init', 'encoded', 'encoder_state']]);
  });

  it('decodeStep carries the decoder state, starting from the encoder state', () => {
    expect(p.stepState).toEqual([{
      kind: 'state', node: 'decoder', key: 'decoder_state', state: { cell: 'gru', layers: 2, dirs: 1, hidden: 32 }, width: null,
      initial: { kind: 'init', from: 'encoder', crossing: 'encoder_state' }, readBy: [],
    }]);
  });

  it('node info for codegen: widths, time axes, states, parameter sizes', () => {
    const n = p.nodes;
    expect(n.src_emb!.info.params).toEqual({ op: 'embedding', vocab: 'V_source', dim: 32 });
    expect(n.decoder!.info.params).toEqual({ op: 'recurrent', cell: 'gru', inputSize: 64, hidden: 32, layers: 2, dirs: 1 });
    expect(n.logits!.info.params).toEqual({ op: 'dense', inSize: 32, outSize: 'V_target' });
    expect([n.logits!.info.width, n.logits!.info.time]).toEqual(['V_target', 'T_tgt']);
    expect([n.encoder!.info.time, n.encoder!.info.state]).toEqual(['T_src', { cell: 'gru', layers: 2, dirs: 1, hidden: 32 }]);
    expect(n.context!.info.inputs.map((i) => i.shape)).toEqual([{ kind: 'vector', width: 32 }, { kind: 'sequence', time: 'T_tgt', width: 32 }]);
  });

  it('is plain data (no graphology): survives a JSON round trip', () => {
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });
});

describe('plan: attention decoder (query = decoder.prev)', () => {
  const p = plan(ATTENTION_SEQ2SEQ);

  it('loops over attention, concat and decoder; embeds and projects batched around the loop', () => {
    expect(p.encode).toEqual(['src_emb', 'encoder']);
    expect(p.main.steps).toEqual([{ kind: 'batched', node: 'tgt_emb' }, { kind: 'loop', loop: 0 }, { kind: 'batched', node: 'logits' }]);
    expect(p.loops[0]!.nodes).toEqual(['attn', 'dec_in', 'decoder']);
    expect(p.loops[0]!.phase).toBe('decode-loop');
    expect(phases(p)).toMatchObject({ attn: 'decode-loop', dec_in: 'decode-loop', decoder: 'decode-loop', tgt_emb: 'decode-batched', logits: 'decode-batched' });
    expect(p.order).toEqual(['src_emb', 'encoder', 'tgt_emb', 'attn', 'dec_in', 'decoder', 'logits']);
  });

  it('carries the decoder state; decoder.prev reads its top layer, starting from the encoder state', () => {
    const [carried] = p.loops[0]!.carried;
    expect(p.loops[0]!.carried).toHaveLength(1);
    expect(carried).toMatchObject({ kind: 'state', node: 'decoder', key: 'decoder_state', initial: { kind: 'init', from: 'encoder', crossing: 'encoder_state' } });
    expect(carried!.readBy).toEqual([{ node: 'attn', role: 'query' }]);
    expect(p.nodes.attn!.inputs.find((i) => i.role === 'query')).toMatchObject({ via: 'delayed', key: 'decoder_state', shape: { kind: 'sequence', time: 'T_tgt', width: 32 } });
    expect(p.stepState).toEqual([carried]);
  });

  it('crosses the encoder outputs (keys, values), the source lengths (mask) and the encoder state', () => {
    expect(p.crossings.map((c) => [c.key, c.readBy.map((r) => `${r.node}.${r.role}`)])).toEqual([
      ['encoder_output', ['attn.keys', 'attn.values']],
      ['source_lengths', ['attn.mask']],
      ['encoder_state', ['decoder.init']],
    ]);
  });

  it('loop inputs: target embeddings per step, encoder outputs constant', () => {
    expect(p.loops[0]!.inputs.map((i) => [`${i.node}.${i.role}`, i.from, i.perStep])).toEqual([
      ['attn.keys', 'encoder', false], ['attn.values', 'encoder', false], ['attn.mask', 'source', false], ['dec_in.inputs.0', 'tgt_emb', true],
    ]);
  });

  it('splits the decoder input projection: the embedding part runs batched, the context part per step', () => {
    expect(p.loops[0]!.projections).toEqual([{
      node: 'decoder', concat: 'dec_in',
      parts: [{ from: 'tgt_emb', offset: 0, width: 32, batched: true }, { from: 'attn', offset: 32, width: 32, batched: false }],
    }]);
  });

  it('attention sizes for codegen', () => {
    expect(p.nodes.attn!.info.params).toEqual({ op: 'attention', kind: 'additive', queryDim: 32, keyDim: 32, valueDim: 32, hidden: 32 });
  });
});

describe('plan: language models', () => {
  it('char LM: everything batched over T, the LSTM state carried from zeros', () => {
    const p = plan(CHAR_LM);
    expect(p.encode).toEqual([]);
    expect(p.crossings).toEqual([]);
    expect(p.main.side).toBe('tokens');
    expect(p.main.steps.map((s) => (s.kind === 'batched' ? s.node : s.loop))).toEqual(['emb', 'rnn', 'drop', 'logits']);
    expect(Object.values(phases(p))).toEqual(['lm-batched', 'lm-batched', 'lm-batched', 'lm-batched']);
    expect(p.stepState.map((c) => [c.key, c.state?.cell, c.initial.kind])).toEqual([['rnn_state', 'lstm', 'zeros']]);
  });

  it('input feeding: a loop through a dense output carries that output from zeros', () => {
    const p = plan(languageModel(`
      emb:    { op: embedding, input: tokens, dim: 8 }
      x:      { op: concat, inputs: [emb, feed.prev] }
      rnn:    { op: recurrent, cell: gru, input: x, hidden: 16 }
      feed:   { op: dense, input: rnn, units: 4, activation: tanh }
      logits: { op: dense, input: rnn, units: tokens.vocab }`));
    expect(p.loops[0]!.nodes).toEqual(['x', 'rnn', 'feed']);
    expect(p.loops[0]!.phase).toBe('lm-loop');
    expect(p.loops[0]!.carried.map((c) => [c.kind, c.key, c.width, c.initial.kind])).toEqual([
      ['state', 'rnn_state', null, 'zeros'], ['output', 'feed_prev', 4, 'zeros'],
    ]);
    expect(p.stepState.map((c) => c.key)).toEqual(['rnn_state', 'feed_prev']);
    expect(p.nodes.rnn!.info.params).toMatchObject({ inputSize: 12 });
  });

  it('nodes that do not reach the output are left out of the plan', () => {
    const text = variant(CHAR_LM, 'output: logits', '  side: { op: dense, input: rnn, units: 3 }\noutput: logits');
    const p = plan(text);
    expect(p.unused).toEqual(['side']);
    expect(p.nodes.side).toBeUndefined();
  });
});
