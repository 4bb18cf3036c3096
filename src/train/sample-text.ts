/**
 * `sample` from text to text, as the CLI and the web page both run it: preprocess and tokenize the
 * prefix like the training data (unknown tokens noted), draw with a seeded generator, and turn the
 * continuation back into text. Browser-safe.
 */
import type { DataSpec, DecodeSpec, StreamSpec } from '../spec/types.js';
import type { LanguageModelModule } from '../runtime/module.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { detokenize, tokenize } from '../runtime/text/tokenize.js';
import { preprocess } from '../runtime/text/preprocess.js';
import { UNK_TOKEN } from '../runtime/text/vocab.js';
import { createRng } from '../runtime/nn/index.js';
import { UserError } from '../errors.js';
import { sampleTokens } from './sample.js';

export interface SampleTextOptions {
  prefix: string;
  /** Tokens to generate (default: the spec's decode.max_len). */
  length?: number;
  /** Softmax temperature (default: 0, the argmax, when the spec's decode.strategy is greedy; else 1). */
  temperature?: number;
  seed: number;
}

export interface SampleOutput { prefix: string; continuation: string; text: string; tokens: number; stoppedAtEos: boolean; notes: string[] }

export function sampleText(module: LanguageModelModule, vocab: Vocab, spec: { data: DataSpec; decode: DecodeSpec }, o: SampleTextOptions): SampleOutput {
  const stream = spec.data.tokens as StreamSpec;
  const prefixTokens = tokenize(preprocess(o.prefix, spec.data.preprocess), stream.tokenizer);
  if (prefixTokens.length === 0) {
    const steps = spec.data.preprocess.length > 0 ? ` after the spec's preprocessing (${spec.data.preprocess.join(', ')})` : '';
    throw new UserError(`--prefix ${JSON.stringify(o.prefix)} has no tokens${steps}`, 'give --prefix some text the model was trained on');
  }
  const notes: string[] = [];
  const unknown = [...new Set(prefixTokens.filter((t) => !vocab.knows(t)))];
  if (unknown.length > 0) {
    notes.push(`note: ${unknown.map((t) => JSON.stringify(t)).join(', ')} not in the vocabulary; read as ${UNK_TOKEN}`);
  }
  const rng = createRng(o.seed);
  const r = sampleTokens(module, {
    prefix: vocab.encodeWords(prefixTokens), length: o.length ?? spec.decode.max_len,
    temperature: o.temperature ?? (spec.decode.strategy === 'greedy' ? 0 : 1), random: () => rng.next(),
    specials: { pad: vocab.pad, bos: vocab.bos, eos: vocab.eos },
  });
  const shownPrefix = detokenize(prefixTokens, stream.tokenizer);
  const continuation = detokenize(vocab.decode(r.tokens), stream.tokenizer);
  const glue = stream.tokenizer === 'word' && continuation.length > 0 && shownPrefix.length > 0 ? ' ' : '';
  return { prefix: shownPrefix, continuation, text: `${shownPrefix}${glue}${continuation}`, tokens: r.tokens.length, stoppedAtEos: r.stoppedAtEos, notes };
}
