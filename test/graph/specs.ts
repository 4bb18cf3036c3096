/** The specs the graph tests share: d2l's GRU seq2seq, a Bahdanau attention decoder, a char LM. */

export const D2L_SEQ2SEQ = `seqloom: 1
name: d2l-seq2seq-gru
task: seq2seq
data:
  source: { max_len: 10 }
  target: { max_len: 12 }
graph:
  src_emb:  { op: embedding, input: source, dim: 32 }
  encoder:  { op: recurrent, cell: gru, input: src_emb, hidden: 32, layers: 2, dropout: 0.1 }
  tgt_emb:  { op: embedding, input: target, dim: 32 }
  context:  { op: repeat, input: encoder.state.top, like: tgt_emb }
  dec_in:   { op: concat, inputs: [tgt_emb, context] }
  decoder:  { op: recurrent, cell: gru, input: dec_in, hidden: 32, layers: 2, dropout: 0.1, init: encoder.state }
  logits:   { op: dense, input: decoder, units: target.vocab }
output: logits
train:
  batch_size: 64
`;

export const ATTENTION_SEQ2SEQ = `seqloom: 1
name: bahdanau-gru
task: seq2seq
graph:
  src_emb:  { op: embedding, input: source, dim: 32 }
  encoder:  { op: recurrent, cell: gru, input: src_emb, hidden: 32, layers: 2 }
  tgt_emb:  { op: embedding, input: target, dim: 32 }
  attn:     { op: attention, kind: additive, query: decoder.prev, keys: encoder, values: encoder, mask: source }
  dec_in:   { op: concat, inputs: [tgt_emb, attn] }
  decoder:  { op: recurrent, cell: gru, input: dec_in, hidden: 32, layers: 2, init: encoder.state }
  logits:   { op: dense, input: decoder, units: target.vocab }
output: logits
`;

export const CHAR_LM = `seqloom: 1
name: char-lm
task: language-model
graph:
  emb:     { op: embedding, input: tokens, dim: 28 }
  rnn:     { op: recurrent, cell: lstm, input: emb, hidden: 256 }
  drop:    { op: dropout, input: rnn, rate: 0.2 }
  logits:  { op: dense, input: drop, units: tokens.vocab }
output: logits
`;
