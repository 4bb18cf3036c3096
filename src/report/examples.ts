/**
 * The model at work, for the report. Seq2seq: examples spread over the held-out split (the
 * training split when the spec holds nothing out), each with its source, reference, n-best
 * hypotheses with scores, sentence BLEU, and — for attention models — the attention weights of the
 * best hypothesis. Language model: a greedy continuation and a few samples from the start of the
 * held-out text. Data the checkpoint was trained on is read again (meta.json records its path).
 */
import type { LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import type { Spec, StreamSpec } from '../spec/types.js';
import type { CheckpointContents } from '../train/checkpoint.js';
import { loadLmDataset, loadSeq2seqDataset } from '../runtime/data/load.js';
import { encodeSequences } from '../runtime/data/seq2seq.js';
import { rowTokens } from '../runtime/data/stream-rows.js';
import { detokenize } from '../runtime/text/tokenize.js';
import { corpusBleu } from '../runtime/metrics/index.js';
import { createRng } from '../runtime/nn/index.js';
import { evalDataSpec } from '../train/run-inference.js';
import { resolveDecodeSettings, searchBatch, type DecodeSettings } from '../train/search.js';
import { spreadIndices } from '../train/show-examples.js';
import { lmPrefix } from '../train/session-data.js';
import { sampleTokens } from '../train/sample.js';

export interface ShownHypothesis { text: string; score: number; tokens: string[] }

export interface TranslationExample {
  source: string;
  reference: string;
  /** The source tokens the model read (`<unk>` for unknown words, then `<eos>`): the heatmap's columns. */
  sourceTokens: string[];
  hypotheses: ShownHypothesis[];
  /** Sentence BLEU of the best hypothesis (sacreBLEU's sentence_bleu: exp smoothing, effective order), 0–100. */
  bleu: number;
  exact: boolean;
  /** The best hypothesis' weights [its tokens][sourceTokens] (attention models). */
  attention: number[][] | null;
}

export interface Seq2SeqExamples {
  task: 'seq2seq';
  split: 'held-out' | 'training';
  /** Sentences in that split. */
  total: number;
  examples: TranslationExample[];
  /** Corpus BLEU of the shown examples, 0–100. */
  bleu: number;
  /** How they were decoded, e.g. "beam 4, 3-best, length penalty 0.75". */
  decoding: string;
  attentionNode: string | null;
}

export interface LmSamples {
  task: 'language-model';
  prefix: string;
  greedy: string;
  samples: { seed: number; temperature: number; text: string }[];
}

export type ModelExamples = Seq2SeqExamples | LmSamples;

/** The spec's decoding, with an n-best of up to 3 when it searches with a beam (so there is an n-best to show). */
export function reportDecodeSettings(spec: Spec): DecodeSettings {
  const s = resolveDecodeSettings(spec.decode, {});
  if (s.strategy === 'beam') s.nBest = Math.max(s.nBest, Math.min(3, s.beamSize));
  return s;
}

function describeDecoding(s: DecodeSettings): string {
  const how = s.strategy === 'beam' ? `beam ${s.beamSize}` : s.strategy;
  const parts = [how, ...(s.nBest > 1 ? [`${s.nBest}-best`] : []), ...(s.lengthPenalty > 0 ? [`length penalty ${s.lengthPenalty}`] : []), `max ${s.maxLen} tokens`];
  return parts.join(', ');
}

export function seq2seqExamples(module: Seq2SeqModule, spec: Spec, ckpt: CheckpointContents, count: number): Seq2SeqExamples {
  if (ckpt.vocabs.task !== 'seq2seq') throw new Error('seq2seqExamples: not a seq2seq checkpoint');
  const { source: srcVocab, target: tgtVocab } = ckpt.vocabs;
  const loaded = loadSeq2seqDataset(evalDataSpec(spec.data, ckpt.meta.data.path, undefined));
  const held = loaded.data.valid.count > 0 ? loaded.data.valid : loaded.data.train;
  const split = loaded.data.valid.count > 0 ? 'held-out' : 'training';
  const stream = { source: spec.data.source as StreamSpec, target: spec.data.target as StreamSpec };
  const rows = spreadIndices(held.count, count);
  const settings = reportDecodeSettings(spec);
  const attentionNode = module.attentionNode ?? null;
  const enc = encodeSequences(rows.map((i) => rowTokens(held.source, i)), srcVocab, stream.source.max_len);
  const nbest = rows.length === 0 ? [] : searchBatch(module, { src: enc.ids, srcLen: enc.lengths, batch: rows.length, srcT: stream.source.max_len },
    settings, { bos: tgtVocab.bos, eos: tgtVocab.eos, pad: tgtVocab.pad }, attentionNode !== null);
  const examples = rows.map((idx, k): TranslationExample => {
    const refTokens = rowTokens(held.target, idx);
    const list = nbest[k] ?? [];
    const hypotheses = list.map((h) => ({
      text: detokenize(tgtVocab.decodeUntilEos(h.tokens), stream.target.tokenizer), score: h.score, tokens: tgtVocab.decode(h.tokens),
    }));
    const bestTokens = tgtVocab.decodeWords(list[0]?.tokens ?? []);
    const srcIds = enc.ids.subarray(k * stream.source.max_len, k * stream.source.max_len + enc.lengths[k]!);
    return {
      source: detokenize(rowTokens(held.source, idx), stream.source.tokenizer),
      reference: detokenize(refTokens, stream.target.tokenizer),
      sourceTokens: srcVocab.decode(srcIds),
      hypotheses,
      bleu: sentenceBleu(bestTokens, refTokens),
      exact: bestTokens.length === refTokens.length && bestTokens.every((t, i) => t === refTokens[i]),
      attention: list[0]?.attention ?? null,
    };
  });
  const best = rows.map((_, k) => tgtVocab.decodeWords(nbest[k]?.[0]?.tokens ?? []));
  const bleu = rows.length === 0 ? 0 : corpusBleu(best, rows.map((i) => rowTokens(held.target, i))).bleu;
  return { task: 'seq2seq', split, total: held.count, examples, bleu, decoding: describeDecoding(settings), attentionNode };
}

/**
 * sacreBLEU's `sentence_bleu` (exp smoothing, effective order): orders longer than the hypothesis
 * leave the geometric mean, so a short exact translation scores 100, not 0.
 */
export function sentenceBleu(hyp: string[], ref: string[]): number {
  return hyp.length === 0 ? (ref.length === 0 ? 100 : 0) : corpusBleu([hyp], [ref], Math.min(4, hyp.length)).bleu;
}

/** Samples drawn at this temperature (and a greedy continuation). */
const SAMPLE_TEMPERATURE = 0.8;

export function lmSamples(module: LanguageModelModule, spec: Spec, ckpt: CheckpointContents, count: number): LmSamples {
  if (ckpt.vocabs.task !== 'language-model') throw new Error('lmSamples: not a language-model checkpoint');
  const vocab = ckpt.vocabs.tokens;
  const stream = spec.data.tokens as StreamSpec;
  const loaded = loadLmDataset(evalDataSpec(spec.data, ckpt.meta.data.path, undefined));
  const d = loaded.data;
  const text = d.valid.length > 1 ? d.valid : d.train;
  const sameVocab = d.vocab.size === vocab.size && d.vocab.tokens.every((t, i) => t === vocab.tokens[i]);
  const ids = sameVocab ? text : Int32Array.from(vocab.encode(d.vocab.decode(text)));
  const prefix = lmPrefix(ids, vocab, stream);
  const length = Math.max(spec.decode.max_len, stream.tokenizer === 'char' ? 80 : 20);
  const specials = { pad: vocab.pad, bos: vocab.bos, eos: vocab.eos };
  const show = (tokens: number[]): string => detokenize(vocab.decode(tokens), stream.tokenizer);
  const glue = stream.tokenizer === 'char' ? '' : ' ';
  const greedy = sampleTokens(module, { prefix, length, temperature: 0, random: () => 0, specials });
  const samples = Array.from({ length: count }, (_, seed) => {
    const rng = createRng(seed);
    const r = sampleTokens(module, { prefix, length, temperature: SAMPLE_TEMPERATURE, random: () => rng.next(), specials });
    return { seed, temperature: SAMPLE_TEMPERATURE, text: `${show(prefix)}${glue}${show(r.tokens)}` };
  });
  return { task: 'language-model', prefix: show(prefix), greedy: `${show(prefix)}${glue}${show(greedy.tokens)}`, samples };
}
