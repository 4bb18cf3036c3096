/**
 * Validation while training: the held-out split (`data.valid_fraction`) or `train --valid FILE`,
 * evaluated with the module in inference mode (no dropout, no RNG drawn, so training continues
 * exactly as without it): the loss and perplexity over all of it, and for seq2seq the corpus BLEU of
 * up to `train.bleu_sentences` sentences spread over it, decoded as the spec's `decode:` says.
 */
import type { LanguageModelModule, Seq2SeqModule, AnyModule } from '../runtime/module.js';
import type { EncodedPairs } from '../runtime/data/seq2seq.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { evaluateLm, evaluateSeq2Seq, seq2seqLoss } from './evaluate.js';
import type { DecodeSettings } from './search.js';

export type ValidationSet =
  | { task: 'seq2seq'; pairs: EncodedPairs; vocabs: { source: Vocab; target: Vocab }; origin: string }
  | { task: 'language-model'; stream: Int32Array; batchSize: number; numSteps: number; origin: string };

export interface ValidationResult {
  loss: number;
  perplexity: number;
  /** Corpus BLEU (0–100) of the decoded sentences; null for language models or bleu_sentences 0. */
  bleu: number | null;
  /** Examples (seq2seq) or tokens (language model) the loss covers. */
  size: number;
  /** Sentences decoded for BLEU. */
  decoded: number;
  seconds: number;
}

/** How big a validation set is, for the start-of-training line. */
export function describeValidationSet(v: ValidationSet): string {
  return v.task === 'seq2seq' ? `${v.pairs.count} validation pairs (${v.origin})` : `${v.stream.length} validation tokens (${v.origin})`;
}

export function runValidation(module: AnyModule, v: ValidationSet, settings: DecodeSettings, bleuSentences: number): ValidationResult {
  const t0 = performance.now();
  const done = (r: Omit<ValidationResult, 'seconds'>): ValidationResult => ({ ...r, seconds: (performance.now() - t0) / 1000 });
  if (v.task === 'language-model') {
    const r = evaluateLm(module as LanguageModelModule, v.stream, v.batchSize, v.numSteps);
    return done({ loss: r.loss, perplexity: r.perplexity, bleu: null, size: r.tokens, decoded: 0 });
  }
  if (bleuSentences <= 0) {
    const loss = seq2seqLoss(module as Seq2SeqModule, v.pairs, v.vocabs.target.bos);
    return done({ loss, perplexity: Math.exp(loss), bleu: null, size: v.pairs.count, decoded: 0 });
  }
  const r = evaluateSeq2Seq(module as Seq2SeqModule, { pairs: v.pairs, vocabs: v.vocabs }, settings, 'corpus', { bleuSentences });
  return done({ loss: r.loss, perplexity: r.perplexity, bleu: r.bleu.score, size: r.sentences, decoded: r.decoded });
}
