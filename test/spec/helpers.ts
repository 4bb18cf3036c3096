/** Shared fixtures for the front-end tests: a small valid spec per task, and text edits on it. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineIndex } from '../../src/diagnostics/render.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MODELS = join(REPO, 'models');

export function exampleSpecs(): { name: string; path: string; text: string }[] {
  return readdirSync(MODELS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name) => ({ name, path: join(MODELS, name), text: readFileSync(join(MODELS, name), 'utf8') }));
}

export const SEQ2SEQ = `seqloom: 1
name: tiny
task: seq2seq
graph:
  src_emb: { op: embedding, input: source, dim: 8 }
  encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 16, layers: 2, dropout: 0.1 }
  tgt_emb: { op: embedding, input: target, dim: 8 }
  context: { op: repeat, input: encoder.state.top, like: tgt_emb }
  dec_in: { op: concat, inputs: [tgt_emb, context] }
  decoder: { op: recurrent, cell: gru, input: dec_in, hidden: 16, layers: 2, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
`;

export const LANGUAGE_MODEL = `seqloom: 1
name: tiny-lm
task: language-model
graph:
  emb: { op: embedding, input: tokens, dim: 8 }
  rnn: { op: recurrent, cell: lstm, input: emb, hidden: 16 }
  logits: { op: dense, input: rnn, units: tokens.vocab }
output: logits
`;

/** The text with the first occurrence of `from` replaced (fails loudly if absent, so edits stay real). */
export function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`fixture edit: ${JSON.stringify(from)} not found`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line/column of a diagnostic's start, and the text its range covers. */
export function where(d: Diagnostic, text: string): { line: number; column: number; covered: string } {
  const index = new LineIndex(text);
  const { line, column } = index.position(d.range.start);
  return { line, column, covered: index.text.slice(d.range.start, d.range.end) };
}
