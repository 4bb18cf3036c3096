/**
 * Parameter counts against PyTorch, and activation estimates. Reference counts from torch 1.13:
 *
 *   import torch.nn as nn
 *   c = lambda m: sum(p.numel() for p in m.parameters())
 *   c(nn.Embedding(184, 32)), c(nn.GRU(32, 32, 2))                      # 5888, 12672
 *   c(nn.Embedding(201, 32)), c(nn.GRU(64, 32, 2)), c(nn.Linear(32, 201))  # 6432, 15744, 6633
 *   c(nn.LSTM(28, 256, 2, bidirectional=True)), c(nn.RNN(10, 20, 3))       # 2162688, 2320
 */
import { describe, expect, it } from 'vitest';
import { buildGraph, estimateResources, type ModelGraph } from '../../src/graph/index.js';
import { loadSpec, seq2seq } from './helpers.js';
import { ATTENTION_SEQ2SEQ, CHAR_LM, D2L_SEQ2SEQ } from './specs.js';

const graph = (text: string): ModelGraph => buildGraph(loadSpec(text)).value!;

describe('parameter counts (as PyTorch counts them)', () => {
  it('d2l GRU seq2seq with V_source = 184, V_target = 201', () => {
    const e = estimateResources(graph(D2L_SEQ2SEQ), { vocab: { source: 184, target: 201 } });
    const params = Object.fromEntries(Object.entries(e.nodes).map(([n, x]) => [n, x.params]));
    expect(params).toEqual({ src_emb: 5888, encoder: 12672, tgt_emb: 6432, context: 0, dec_in: 0, decoder: 15744, logits: 6633 });
    expect(e.totalParams).toBe(5888 + 12672 + 6432 + 15744 + 6633);
    expect(e.paramBytes).toBe(4 * e.totalParams);
    expect(e.guessed).toEqual([]);
  });

  it('a GRU layer is 3H(In+H)+6H', () => {
    const e = estimateResources(graph(D2L_SEQ2SEQ), { vocab: { source: 10, target: 10 } });
    const layer = (input: number, h: number): number => 3 * h * (input + h) + 6 * h;
    expect(e.nodes.decoder!.params).toBe(layer(64, 32) + layer(32, 32));
  });

  it('a bidirectional 2-layer LSTM encoder and a 3-layer RNN decoder (Luong-style attention after it)', () => {
    const g = graph(seq2seq(`
      src_emb: { op: embedding, input: source, dim: 28 }
      encoder: { op: recurrent, cell: lstm, input: src_emb, hidden: 256, layers: 2, bidirectional: true }
      tgt_emb: { op: embedding, input: target, dim: 10 }
      decoder: { op: recurrent, cell: rnn, input: tgt_emb, hidden: 20, layers: 3 }
      att:     { op: attention, kind: additive, query: decoder, keys: encoder, values: encoder, hidden: 16 }
      both:    { op: concat, inputs: [decoder, att] }
      logits:  { op: dense, input: both, units: target.vocab }`));
    const e = estimateResources(g, { vocab: { source: 50, target: 60 } });
    expect(e.nodes.encoder!.params).toBe(2162688);
    expect(e.nodes.decoder!.params).toBe(2320);
    expect(e.nodes.att!.params).toBe(16 * (20 + 512) + 16);
    expect(e.nodes.logits!.params).toBe((20 + 512) * 60 + 60);
  });

  it('additive attention: W_q, W_k (hidden × width each) and w_v (hidden), no biases; dot: none', () => {
    const g = graph(ATTENTION_SEQ2SEQ);
    expect(estimateResources(g).nodes.attn!.params).toBe(32 * 32 + 32 * 32 + 32);
  });
});

describe('activation memory', () => {
  it('defaults: B = train.batch_size, T = the streams\' max_len, vocabulary sizes guessed and said so', () => {
    const e = estimateResources(graph(D2L_SEQ2SEQ));
    expect(e.dims.batch).toBe(64);
    expect(e.dims.time).toMatchObject({ T_src: 10, T_tgt: 12 });
    expect(e.guessed).toEqual(['V_source', 'V_target']);
  });

  it('per node, for injected dims', () => {
    const dims = { batch: 8, time: { T_src: 5, T_tgt: 7 }, vocab: { source: 100, target: 120 } };
    const e = estimateResources(graph(D2L_SEQ2SEQ), dims);
    expect(e.nodes.src_emb!.activations).toBe(8 * 5 * 32);
    expect(e.nodes.context!.activations).toBe(8 * 7 * 32);
    expect(e.nodes.dec_in!.activations).toBe(8 * 7 * 64);
    // GRU: per layer and step, 3H gate values and H of state
    expect(e.nodes.encoder!.activations).toBe(2 * 8 * 5 * 32 * 4);
    expect(e.nodes.logits!.activations).toBe(8 * 7 * 120);
    expect(e.nodes.logits!.activationBytes).toBe(4 * 8 * 7 * 120);
    expect(e.totalActivations).toBe(Object.values(e.nodes).reduce((s, n) => s + n.activations, 0));
  });

  it('attention keeps [B, T_q, T_k, hidden] features for additive scoring', () => {
    const e = estimateResources(graph(ATTENTION_SEQ2SEQ), { batch: 2, time: { T_src: 3, T_tgt: 4 } });
    expect(e.nodes.attn!.activations).toBe(2 * 4 * 3 * 32 + 2 * (2 * 4 * 3) + 2 * 4 * 32);
  });

  it('language model: T = num_steps; LSTM keeps 4H gates + h + c per step', () => {
    const e = estimateResources(graph(CHAR_LM), { batch: 1, vocab: { tokens: 30 } });
    expect(e.dims.time.T).toBe(35);
    expect(e.nodes.rnn!.activations).toBe(35 * 256 * 6);
    expect(e.nodes.drop!.activations).toBe(2 * 35 * 256);
    expect(e.guessed).toEqual([]);
  });
});
