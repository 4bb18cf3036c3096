/**
 * Tiny trained checkpoints for tests that need one (translate --attention, the report): specs on
 * the built-in numbers task, trained in process on the cpu backend in a second or two.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runTraining } from '../../src/train/session.js';
import { createProgressReporter } from '../../src/train/progress.js';

/** A small Bahdanau model: additive attention whose query is the decoder's previous state. */
export const TINY_ATTENTION_SPEC = `seqloom: 1
name: tiny-attention
task: seq2seq
data:
  format: tsv
  limit: 120
  valid_fraction: 0.1
  source: { tokenizer: word, min_freq: 1, max_len: 7 }
  target: { tokenizer: word, min_freq: 1, max_len: 8 }
graph:
  src_emb: { op: embedding, input: source, dim: 12 }
  encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 16 }
  tgt_emb: { op: embedding, input: target, dim: 12 }
  attn: { op: attention, kind: additive, query: decoder.prev, keys: encoder, values: encoder, mask: source }
  dec_in: { op: concat, inputs: [attn, tgt_emb] }
  decoder: { op: recurrent, cell: gru, input: dec_in, hidden: 16, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
train:
  optimizer: { name: adam, lr: 0.02 }
  clip_norm: 1.0
  epochs: 3
  batch_size: 32
  seed: 1
decode:
  strategy: beam
  beam_size: 2
  n_best: 2
  max_len: 8
`;

/** A character language model. */
export const TINY_LM_SPEC = `seqloom: 1
name: tiny-lm
task: language-model
data:
  format: text
  limit: 10
  valid_fraction: 0.2
  tokens: { tokenizer: char, min_freq: 1 }
  num_steps: 8
graph:
  emb: { op: embedding, input: tokens, dim: 8 }
  rnn: { op: recurrent, cell: gru, input: emb, hidden: 16 }
  logits: { op: dense, input: rnn, units: tokens.vocab }
output: logits
train:
  optimizer: { name: adam, lr: 0.01 }
  epochs: 2
  batch_size: 8
  seed: 0
`;

const quiet = () => createProgressReporter({ write: () => true, isTTY: false });

/** Writes `specText` to `<root>/<name>.yaml` and trains it into `<root>/<name>`; returns that folder. */
export async function trainTiny(root: string, name: string, specText: string, opts: { epochs?: number; data?: string } = {}): Promise<string> {
  const specPath = path.join(root, `${name}.yaml`);
  fs.writeFileSync(specPath, specText);
  const out = path.join(root, name);
  await runTraining({ specPath, out, backend: 'cpu', reporter: quiet(), ...opts });
  return out;
}
