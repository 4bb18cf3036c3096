/**
 * Held-out evaluation: seq2seq → BLEU of decoded hypotheses against the references (corpus BLEU or
 * the mean of d2l's per-sentence score) plus teacher-forced loss/perplexity; language model →
 * perplexity over the held-out stream, read as parallel sequential streams with the state carried.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { lmBatchesSequential } from '../runtime/data/lm.js';
import { corpusBleu, d2lBleu } from '../runtime/metrics/index.js';
import { UserError } from '../errors.js';
import { planBatches, seq2seqBatch } from '../runtime/data/batches.js';
import type { EncodedPairs } from '../runtime/data/seq2seq.js';
import { rowTokens, writeRow } from '../runtime/data/stream-rows.js';
import { disposeBatch, lmTensors, seq2seqTensors } from './batch-tensors.js';
import { searchBatch, type DecodeSettings } from './search.js';

export type BleuMethod = 'corpus' | 'd2l';

export interface Seq2SeqEvalInput {
  /** The examples, encoded with the model's vocabularies. */
  pairs: EncodedPairs;
  vocabs: { source: Vocab; target: Vocab };
}

export interface Seq2SeqEvalOptions {
  /** Decode at most this many sentences for BLEU, spread evenly over the split (default: all). */
  bleuSentences?: number;
  /** d2l BLEU's n-gram order. */
  d2lK?: number;
}

export interface Seq2SeqEvalResult {
  task: 'seq2seq';
  sentences: number;
  /** Sentences decoded for BLEU (all of them unless capped). */
  decoded: number;
  bleu: { method: BleuMethod; score: number; precisions?: number[]; bp?: number; sys_len?: number; ref_len?: number };
  loss: number;
  perplexity: number;
  /** The first few hypotheses with their references, for a look. */
  examples: { source: string; hypothesis: string; reference: string }[];
}

export interface LmEvalResult { task: 'language-model'; tokens: number; loss: number; perplexity: number }

/** Sentences decoded per search call (bounds memory; results do not depend on it). */
const SEARCH_CHUNK = 256;
const LOSS_BATCH = 64;

/** `count` indices spread evenly over `0..n-1` (all of them when n ≤ count). */
export function spreadIndices(n: number, count: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/**
 * Decodes rows of `pairs` (one batched search per chunk of similar source lengths, each padded to its
 * longest row: results never depend on what shares a batch) and returns each hypothesis as words
 * (subwords joined), in the order of `rows`.
 */
export function decodeRows(
  module: Seq2SeqModule, pairs: EncodedPairs, rows: readonly number[], settings: DecodeSettings, tgtVocab: Vocab,
): string[][] {
  const order = rows.map((_, k) => k).sort((a, b) => pairs.srcLen[rows[a]!]! - pairs.srcLen[rows[b]!]! || a - b);
  const out: string[][] = new Array(rows.length);
  for (let start = 0; start < order.length; start += SEARCH_CHUNK) {
    const chunk = order.slice(start, start + SEARCH_CHUNK);
    const srcT = Math.max(1, ...chunk.map((k) => pairs.srcLen[rows[k]!]!));
    const src = new Int32Array(chunk.length * srcT);
    const srcLen = new Int32Array(chunk.length);
    chunk.forEach((k, r) => { srcLen[r] = writeRow(pairs.source, rows[k]!, src, r * srcT, srcT); });
    const results = searchBatch(module, { src, srcLen, batch: chunk.length, srcT }, { ...settings, nBest: 1 },
      { bos: tgtVocab.bos, eos: tgtVocab.eos, pad: tgtVocab.pad });
    results.forEach((list, r) => { out[chunk[r]!] = tgtVocab.decodeWords(list[0]?.tokens ?? []); });
  }
  return out;
}

export function evaluateSeq2Seq(
  module: Seq2SeqModule, input: Seq2SeqEvalInput, settings: DecodeSettings, method: BleuMethod, opts: Seq2SeqEvalOptions = {},
): Seq2SeqEvalResult {
  const { pairs } = input;
  const n = pairs.count;
  if (n === 0) throw new UserError('the held-out split is empty', 'set data.valid_fraction above 0 (or use a larger data.limit)');
  const rows = spreadIndices(n, opts.bleuSentences ?? n);
  const hyps = decodeRows(module, pairs, rows, settings, input.vocabs.target);
  const refs = rows.map((i) => rowTokens(pairs.target, i));
  let bleu: Seq2SeqEvalResult['bleu'];
  if (method === 'corpus') {
    const b = corpusBleu(hyps, refs);
    bleu = { method, score: b.bleu, precisions: b.precisions, bp: b.bp, sys_len: b.sysLen, ref_len: b.refLen };
  } else {
    const sum = hyps.reduce((acc, h, k) => acc + d2lBleu(h.join(' '), refs[k]!.join(' '), opts.d2lK ?? 2), 0);
    bleu = { method, score: rows.length > 0 ? sum / rows.length : 0 };
  }
  const loss = seq2seqLoss(module, pairs, input.vocabs.target.bos);
  const examples = hyps.slice(0, 5).map((h, k) => ({
    source: rowTokens(pairs.source, rows[k]!).join(' '), hypothesis: h.join(' '), reference: refs[k]!.join(' '),
  }));
  return { task: 'seq2seq', sentences: n, decoded: rows.length, bleu, loss, perplexity: Math.exp(loss), examples };
}

/** Teacher-forced loss per valid target token over all of `pairs` (length-sorted batches). */
export function seq2seqLoss(module: Seq2SeqModule, pairs: EncodedPairs, bos: number): number {
  let sum = 0, count = 0;
  for (const indices of planBatches(pairs.srcLen, pairs.tgtLen, { batchSize: LOSS_BATCH, bucketing: true, shuffle: false }, 0)) {
    const batch = seq2seqTensors(seq2seqBatch(pairs, indices, true, bos));
    try {
      const r = module.loss(batch, false);
      sum += r.sum.dataSync()[0]!;
      count += r.count;
      tf.dispose([r.sum, r.mean]);
    } finally {
      disposeBatch(batch);
    }
  }
  return sum / Math.max(count, 1);
}

/** Perplexity over a token stream: B parallel sequential streams of `numSteps`, state carried. */
export function evaluateLm(module: LanguageModelModule, stream: Int32Array, batchSize: number, numSteps: number): LmEvalResult {
  if (stream.length < 2) throw new UserError('the held-out text has fewer than 2 tokens', 'set data.valid_fraction above 0');
  const steps = Math.max(1, Math.min(numSteps, Math.floor((stream.length - 1) / 2)));
  const B = Math.max(1, Math.min(batchSize, Math.floor((stream.length - steps - 1) / steps)));
  const batches = lmBatchesSequential(stream, B, steps, { next: () => 0 });
  let state: unknown = null;
  let sum = 0, count = 0;
  try {
    for (const host of batches) {
      const batch = lmTensors(host);
      const r = module.loss(batch, state, false);
      if (state !== null) module.disposeState(state);
      state = r.state;
      sum += r.sum.dataSync()[0]!;
      count += r.count;
      tf.dispose([r.sum, r.mean]);
      disposeBatch(batch);
    }
  } finally {
    if (state !== null) module.disposeState(state);
  }
  const loss = sum / Math.max(count, 1);
  return { task: 'language-model', tokens: count, loss, perplexity: Math.exp(loss) };
}
