/**
 * Language-model generation (d2l `predict_ch8`): warm the state up on the prefix, then draw `len`
 * tokens one at a time — from softmax(logits / temperature), or the argmax at temperature 0.
 * `<pad>` and `<bos>` are never drawn; an `<eos>` ends the text early.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModelModule } from '../runtime/module.js';
import { UserError } from '../errors.js';
import { guardSampleLength } from '../guard/decode.js';
import { portableExp } from '../runtime/search/portable-math.js';

export interface SampleOptions {
  /** Prefix token ids (at least one). */
  prefix: number[];
  length: number;
  temperature: number;
  /** Uniform [0, 1) draws (seeded). */
  random: () => number;
  specials: { pad: number; bos: number; eos: number };
}

export interface SampleResult { tokens: number[]; stoppedAtEos: boolean }

export function sampleTokens(module: LanguageModelModule, opts: SampleOptions): SampleResult {
  if (opts.prefix.length === 0) throw new UserError('the prefix has no tokens', 'give --prefix some text the model knows');
  if (!Number.isInteger(opts.length) || opts.length < 0) throw new UserError(`--len must be an integer ≥ 0, got ${opts.length}`);
  guardSampleLength(opts.length); // one step per token: refuse what would run for hours
  if (!(opts.temperature >= 0) || !Number.isFinite(opts.temperature)) {
    throw new UserError(`--temperature must be a number ≥ 0, got ${opts.temperature}`);
  }
  let state = module.initState(1);
  let logProbs: Float32Array | null = null;
  const step = (token: number): void => {
    const input = tf.tensor1d([token], 'int32');
    const out = module.decodeStep(input, state);
    input.dispose();
    module.disposeState(state);
    state = out.state;
    logProbs = out.logProbs.dataSync() as Float32Array;
    out.logProbs.dispose();
  };
  const generated: number[] = [];
  let stoppedAtEos = false;
  try {
    for (const t of opts.prefix) step(t);
    for (let i = 0; i < opts.length; i++) {
      const next = pickToken(logProbs!, opts.temperature, opts.random, opts.specials);
      if (next === opts.specials.eos) {
        stoppedAtEos = true;
        break;
      }
      generated.push(next);
      if (i + 1 < opts.length) step(next);
    }
  } finally {
    module.disposeState(state);
  }
  return { tokens: generated, stoppedAtEos };
}

/** Argmax (temperature 0) or a draw from softmax(logp / T), skipping `<pad>` and `<bos>`. */
export function pickToken(
  logProbs: Float32Array, temperature: number, random: () => number, specials: { pad: number; bos: number },
): number {
  const allowed = (i: number) => i !== specials.pad && i !== specials.bos;
  if (temperature === 0) {
    let best = -1;
    for (let i = 0; i < logProbs.length; i++) {
      if (allowed(i) && (best < 0 || logProbs[i]! > logProbs[best]!)) best = i;
    }
    return best;
  }
  let max = -Infinity;
  for (let i = 0; i < logProbs.length; i++) if (allowed(i)) max = Math.max(max, logProbs[i]! / temperature);
  const weights = new Float64Array(logProbs.length);
  let total = 0;
  for (let i = 0; i < logProbs.length; i++) {
    weights[i] = allowed(i) ? portableExp(logProbs[i]! / temperature - max) : 0; // the same bits in every engine
    total += weights[i]!;
  }
  let u = random() * total;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! <= 0) continue;
    last = i;
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return last;
}
