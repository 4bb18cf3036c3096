/**
 * Held-out evaluation: seq2seq → BLEU of decoded hypotheses against the references (corpus BLEU or
 * the mean of d2l's per-sentence score) plus teacher-forced loss/perplexity; language model →
 * perplexity over the held-out stream, read as parallel sequential streams with the state carried.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { encodeSequences } from '../runtime/data/seq2seq.js';
import { lmBatchesSequential } from '../runtime/data/lm.js';
import { corpusBleu, d2lBleu } from '../runtime/metrics/index.js';
import { UserError } from '../errors.js';
import { seq2seqBatches } from '../runtime/data/batches.js';
import { disposeBatch, lmTensors, seq2seqTensors } from './batch-tensors.js';
import { searchBatch, type DecodeSettings } from './search.js';

export type BleuMethod = 'corpus' | 'd2l';

export interface Seq2SeqEvalInput {
  sourceTokens: string[][];
  targetTokens: string[][];
  vocabs: { source: Vocab; target: Vocab };
  maxLen: { source: number; target: number };
}

export interface Seq2SeqEvalResult {
  task: 'seq2seq';
  sentences: number;
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

export function evaluateSeq2Seq(
  module: Seq2SeqModule, input: Seq2SeqEvalInput, settings: DecodeSettings, method: BleuMethod, d2lK = 2,
): Seq2SeqEvalResult {
  const n = input.sourceTokens.length;
  if (n === 0) throw new UserError('the held-out split is empty', 'set data.valid_fraction above 0 (or use a larger data.limit)');
  const { source: srcVocab, target: tgtVocab } = input.vocabs;
  const src = encodeSequences(input.sourceTokens, srcVocab, input.maxLen.source);
  const tgt = encodeSequences(input.targetTokens, tgtVocab, input.maxLen.target);
  const srcT = input.maxLen.source;
  const hyps: string[][] = [];
  for (let start = 0; start < n; start += SEARCH_CHUNK) {
    const end = Math.min(start + SEARCH_CHUNK, n);
    const results = searchBatch(module, {
      src: src.ids.subarray(start * srcT, end * srcT), srcLen: src.lengths.subarray(start, end), batch: end - start, srcT,
    }, { ...settings, nBest: 1 }, { bos: tgtVocab.bos, eos: tgtVocab.eos, pad: tgtVocab.pad });
    for (const list of results) hyps.push(tgtVocab.decodeUntilEos(list[0]?.tokens ?? []));
  }
  const refs = input.targetTokens;
  let bleu: Seq2SeqEvalResult['bleu'];
  if (method === 'corpus') {
    const b = corpusBleu(hyps, refs);
    bleu = { method, score: b.bleu, precisions: b.precisions, bp: b.bp, sys_len: b.sysLen, ref_len: b.refLen };
  } else {
    const sum = hyps.reduce((acc, h, i) => acc + d2lBleu(h.join(' '), refs[i]!.join(' '), d2lK), 0);
    bleu = { method, score: sum / n };
  }
  const loss = seq2seqLoss(module, {
    count: n, srcT, tgtT: input.maxLen.target, src: src.ids, srcLen: src.lengths, tgt: tgt.ids, tgtLen: tgt.lengths,
  }, tgtVocab.bos);
  const examples = hyps.slice(0, 5).map((h, i) => ({
    source: input.sourceTokens[i]!.join(' '), hypothesis: h.join(' '), reference: refs[i]!.join(' '),
  }));
  return { task: 'seq2seq', sentences: n, bleu, loss, perplexity: Math.exp(loss), examples };
}

function seq2seqLoss(
  module: Seq2SeqModule,
  data: { count: number; srcT: number; tgtT: number; src: Int32Array; srcLen: Int32Array; tgt: Int32Array; tgtLen: Int32Array },
  bos: number,
): number {
  let sum = 0, count = 0;
  const encoded = { ...data, sourceTokens: [], targetTokens: [] };
  for (const host of seq2seqBatches(encoded, LOSS_BATCH, 0, false, bos)) {
    const batch = seq2seqTensors(host);
    const r = module.loss(batch, false);
    sum += r.sum.dataSync()[0]!;
    count += r.count;
    tf.dispose([r.sum, r.mean]);
    disposeBatch(batch);
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
