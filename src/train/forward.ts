/**
 * `seqloom forward` and `seqloom decode` without files: a validated IN.json (input-json.ts) and a
 * module with weights loaded → plain JSON-ready arrays. Eval mode throughout (no dropout).
 */
import * as tf from '@tensorflow/tfjs';
import type { AnyModule, LanguageModelModule, Seq2SeqModule, ModuleConfig } from '../runtime/module.js';
import { UserError } from '../errors.js';
import type { ModelInput, Seq2SeqInput } from './input-json.js';
import { searchBatch, type DecodeSettings } from './search.js';

/** The module configuration IN.json implies (its vocabulary sizes). */
export function configFromInput(input: ModelInput, seed = 0): ModuleConfig {
  return input.task === 'seq2seq'
    ? { vocab: { source: input.vocab.source, target: input.vocab.target }, seed }
    : { vocab: { tokens: input.vocab.tokens }, seed };
}

/** Teacher-forced logits [B][T][V]. */
export function forwardLogits(module: AnyModule, input: ModelInput): number[][][] {
  if (module.task !== input.task) throw new UserError(`the spec is a ${module.task} model but the input is ${input.task} input`);
  let logits: tf.Tensor3D;
  if (input.task === 'seq2seq') {
    if (!input.tgtIn) throw new UserError('forward needs "tgt_in" (the teacher-forced decoder input)');
    const batch = {
      src: tf.tensor2d(input.src, [input.batch, input.srcT], 'int32'),
      srcLen: tf.tensor1d(input.srcLen, 'int32'),
      tgtIn: tf.tensor2d(input.tgtIn, [input.batch, input.tgtT], 'int32'),
      // Labels are not used by forward; every target position is valid.
      tgtOut: tf.tensor2d(input.tgtIn, [input.batch, input.tgtT], 'int32'),
      tgtLen: tf.fill([input.batch], input.tgtT, 'int32') as tf.Tensor1D,
    };
    try {
      logits = (module as Seq2SeqModule).forward(batch, false);
    } finally {
      tf.dispose(Object.values(batch));
    }
  } else {
    const x = tf.tensor2d(input.tokens, [input.batch, input.T], 'int32');
    try {
      const out = (module as LanguageModelModule).forward(x, null, false);
      (module as LanguageModelModule).disposeState(out.state);
      logits = out.logits;
    } finally {
      x.dispose();
    }
  }
  try {
    return logits.arraySync();
  } finally {
    logits.dispose();
  }
}

export interface DecodedHypothesis { tokens: number[]; score: number; logp: number }

/** Per sentence, its n-best list: tokens as generated (`<eos>` included when generated). */
export function decodeInput(module: AnyModule, input: ModelInput, settings: DecodeSettings): DecodedHypothesis[][] {
  if (input.task !== 'seq2seq' || module.task !== 'seq2seq') {
    throw new UserError('decode searches seq2seq models; for a language model use `seqloom sample`');
  }
  const s2s: Seq2SeqInput = input;
  const results = searchBatch(module as Seq2SeqModule, s2s, settings, { bos: s2s.bos, eos: s2s.eos, pad: s2s.pad });
  return results.map((list) => list.map((h) => ({ tokens: [...h.tokens], score: h.score, logp: h.logp })));
}
