/**
 * What `seqloom train` shows after its summary (`--show N`), so a first run ends with the model at
 * work rather than a bare loss: for seq2seq, N translations spread over the held-out split (the
 * training split when the spec holds nothing out), each marked ✓ when it equals the reference, and
 * the share of exact translations over that whole split; for a language model, a greedy
 * continuation of the text's first words. Decoding uses the spec's `decode:` section.
 */
import type { LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import type { StreamSpec } from '../spec/types.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { detokenize } from '../runtime/text/tokenize.js';
import type { EncodedPairs } from '../runtime/data/seq2seq.js';
import { rowTokens } from '../runtime/data/stream-rows.js';
import type { DecodeSettings } from './search.js';
import { decodeRows, spreadIndices } from './evaluate.js';
import { sampleTokens } from './sample.js';

export { spreadIndices };

/** The sentences to show and score (encoded with the model's vocabularies). */
export interface Seq2SeqShowcase {
  task: 'seq2seq';
  split: 'held-out' | 'training';
  pairs: EncodedPairs;
  vocabs: { source: Vocab; target: Vocab };
  streams: { source: StreamSpec; target: StreamSpec };
}

/** A prefix of the training text to continue. */
export interface LmShowcase {
  task: 'language-model';
  prefix: number[];
  vocab: Vocab;
  stream: StreamSpec;
}

export type Showcase = Seq2SeqShowcase | LmShowcase;

/** At most this many sentences are decoded to count exact translations (keeps the end of a run quick). */
export const EXACT_MATCH_LIMIT = 1000;

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);

export function describeTranslations(module: Seq2SeqModule, s: Seq2SeqShowcase, settings: DecodeSettings, show: number): string[] {
  const n = s.pairs.count;
  if (n === 0 || show <= 0) return [];
  const scored = spreadIndices(n, EXACT_MATCH_LIMIT);
  const hyps = decodeRows(module, s.pairs, scored, settings, s.vocabs.target);
  const refs = scored.map((i) => rowTokens(s.pairs.target, i));
  const exact = scored.filter((_, k) => same(hyps[k]!, refs[k]!)).length;
  const shown = spreadIndices(scored.length, show);
  const text = (tokens: readonly string[], stream: StreamSpec) => detokenize(tokens, stream.tokenizer);
  const how = settings.strategy === 'beam' ? `beam ${settings.beamSize}` : settings.strategy;
  const lines = [`${s.split} translations (${how}), ${shown.length} of ${n}:`];
  for (const k of shown) {
    const ok = same(hyps[k]!, refs[k]!);
    const line = `  ${text(rowTokens(s.pairs.source, scored[k]!), s.streams.source)} → ${text(hyps[k]!, s.streams.target)}`;
    lines.push(ok ? `${line}  ✓` : `${line}  ✗ (reference: ${text(refs[k]!, s.streams.target)})`);
  }
  const of = scored.length === n ? `${n}` : `${scored.length} (spread over ${n})`;
  lines.push(`exact: ${exact} of ${of} ${s.split} sentences (${Math.round((100 * exact) / scored.length)}%)`);
  return lines;
}

export function describeSample(module: LanguageModelModule, s: LmShowcase, length: number): string[] {
  if (s.prefix.length === 0 || length <= 0) return [];
  const r = sampleTokens(module, {
    prefix: s.prefix, length, temperature: 0, random: () => 0,
    specials: { pad: s.vocab.pad, bos: s.vocab.bos, eos: s.vocab.eos },
  });
  const prefix = detokenize(s.vocab.decode(s.prefix), s.stream.tokenizer);
  const continuation = detokenize(s.vocab.decode(r.tokens), s.stream.tokenizer);
  return [`greedy continuation of the text's first ${s.stream.tokenizer === 'char' ? 'characters' : 'words'}:`,
    `  ${JSON.stringify(prefix)} → ${JSON.stringify(continuation)}`];
}

export function describeShowcase(module: Seq2SeqModule | LanguageModelModule, s: Showcase, settings: DecodeSettings, show: number): string[] {
  if (show <= 0) return [];
  return s.task === 'seq2seq'
    ? describeTranslations(module as Seq2SeqModule, s, settings, show)
    : describeSample(module as LanguageModelModule, s, settings.maxLen);
}
