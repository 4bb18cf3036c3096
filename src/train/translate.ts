/**
 * Sentences in, translations out: preprocess and tokenize like the training data, map words to ids
 * (unknown words → `<unk>`, reported), truncate to the source `max_len` (reported), decode every
 * sentence in ONE batched search call, and turn the n-best token lists back into text.
 */
import type { DataSpec, StreamSpec } from '../spec/types.js';
import type { Seq2SeqModule } from '../runtime/module.js';
import { Vocab, UNK_TOKEN } from '../runtime/text/vocab.js';
import { detokenize } from '../runtime/text/tokenize.js';
import { encodeSourceSentences } from '../runtime/data/seq2seq.js';
import { UserError } from '../errors.js';
import { searchBatch, type DecodeSettings, type HostSources } from './search.js';

/** One hypothesis as printed; `tokens` and `attention` only when attention was asked for. */
export interface TranslatedHypothesis {
  translation: string;
  score: number;
  /** The generated tokens, `<eos>` included when generated (one per attention row). */
  tokens?: string[];
  /** Per generated token, the weights over `source_tokens` (rounded to 6 decimals). */
  attention?: number[][];
}

export interface TranslationResult extends TranslatedHypothesis {
  source: string;
  /** With attention: the source tokens the model read (`<unk>` for unknown words, then `<eos>`). */
  source_tokens?: string[];
  n_best: TranslatedHypothesis[];
}

export interface TranslateOptions {
  /** Also return tokens and attention weights (models with attention over the source). */
  attention?: boolean;
}

export interface EncodedSources extends HostSources {
  /** Notes for stderr: unknown words, truncation, empty input. */
  notes: string[];
}

export function encodeSources(sentences: readonly string[], srcVocab: Vocab, dataSpec: DataSpec): EncodedSources {
  if (sentences.length === 0) throw new UserError('nothing to translate', 'give one or more sentences after the checkpoint');
  const source = dataSpec.source as StreamSpec;
  const enc = encodeSourceSentences(sentences, srcVocab, dataSpec);
  const notes: string[] = [];
  enc.tokens.forEach((tokens, i) => {
    const which = sentences.length > 1 ? `sentence ${i + 1}` : 'the sentence';
    if (tokens.length === 0) notes.push(`note: ${which} is empty (after preprocessing); translating <eos> alone`);
    const unknown = [...new Set(tokens.filter((t) => !srcVocab.knows(t)))];
    if (unknown.length > 0) {
      notes.push(`note: ${which}: ${unknown.map((t) => JSON.stringify(t)).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} `
        + `not in the source vocabulary; translated as ${UNK_TOKEN}`);
    }
    const n = srcVocab.bpe ? srcVocab.encodeWords(tokens).length : tokens.length;
    const what = srcVocab.bpe ? 'subword tokens' : 'tokens';
    if (n + 1 > source.max_len) {
      notes.push(`note: ${which} has ${n} ${what}; data.source.max_len is ${source.max_len} `
        + `(<eos> included), so only its first ${Math.min(n, source.max_len)} are translated`);
    }
  });
  return { src: enc.src, srcLen: enc.srcLen, batch: enc.batch, srcT: enc.srcT, notes };
}

/** Generated ids → display text (stops at `<eos>`, drops `<pad>`/`<bos>`). */
export function hypothesisText(tokens: readonly number[], tgtVocab: Vocab, target: StreamSpec): string {
  return detokenize(tgtVocab.decodeUntilEos(tokens), target.tokenizer);
}

export function translateSentences(
  module: Seq2SeqModule, sentences: readonly string[], vocabs: { source: Vocab; target: Vocab },
  dataSpec: DataSpec, settings: DecodeSettings, opts: TranslateOptions = {},
): { results: TranslationResult[]; notes: string[] } {
  const sources = encodeSources(sentences, vocabs.source, dataSpec);
  const tgt = vocabs.target;
  const attention = opts.attention === true;
  const nbest = searchBatch(module, sources, settings, { bos: tgt.bos, eos: tgt.eos, pad: tgt.pad }, attention);
  const results = nbest.map((list, i): TranslationResult => {
    const n_best = list.map((h): TranslatedHypothesis => ({
      translation: hypothesisText(h.tokens, tgt, dataSpec.target as StreamSpec), score: h.score,
      ...(attention ? { tokens: tgt.decode(h.tokens), attention: (h.attention ?? []).map((row) => row.map(round6)) } : {}),
    }));
    const best = n_best[0] ?? { translation: '', score: -Infinity };
    if (!attention) return { source: sentences[i]!, translation: best.translation, score: best.score, n_best };
    const sourceIds = sources.src.subarray(i * sources.srcT, i * sources.srcT + sources.srcLen[i]!);
    return { source: sentences[i]!, source_tokens: vocabs.source.decode(sourceIds), ...best, n_best };
  });
  const notes = [...sources.notes];
  if (nbest.some((list) => list.length === 0 || list.some((h) => !Number.isFinite(h.score)))) {
    notes.push("note: the model's scores are not finite numbers (NaN or infinite): its weights have probably diverged, "
      + 'so these translations mean nothing; retrain with a lower train.optimizer.lr or with train.clip_norm');
  }
  return { results, notes };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
