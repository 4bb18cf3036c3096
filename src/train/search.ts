/**
 * Decoding settings: the spec's `decode:` section as defaults, command-line flags on top, checked
 * once (JoeyNMT-style: "`n_best` must be ≤ `beam_size`"), then one batched search call through the
 * generated module (greedy | beam | exhaustive; ARCHITECTURE.md's decoding contract).
 */
import * as tf from '@tensorflow/tfjs';
import type { DecodeSpec, DecodeStrategy } from '../spec/types.js';
import type { Hypothesis, Seq2SeqModule, SearchOptions } from '../runtime/module.js';
import { UserError } from '../errors.js';
import { guardDecode } from '../guard/decode.js';

export interface DecodeSettings {
  strategy: DecodeStrategy;
  beamSize: number;
  maxLen: number;
  lengthPenalty: number;
  nBest: number;
}

/** Flags as the commands receive them (strings or numbers; undefined = not given). */
export interface DecodeFlags {
  strategy?: string;
  beamSize?: string | number;
  maxLen?: string | number;
  lengthPenalty?: string | number;
  nBest?: string | number;
}

const STRATEGIES: readonly DecodeStrategy[] = ['greedy', 'beam', 'exhaustive'];

export function resolveDecodeSettings(spec: DecodeSpec, flags: DecodeFlags): DecodeSettings {
  const strategy = flags.strategy ?? (flags.beamSize !== undefined ? 'beam' : spec.strategy);
  if (!STRATEGIES.includes(strategy as DecodeStrategy)) {
    throw new UserError(`unknown decoding strategy '${strategy}'`, `use one of ${STRATEGIES.join(', ')}`);
  }
  const s: DecodeSettings = {
    strategy: strategy as DecodeStrategy,
    beamSize: positiveInt(flags.beamSize, spec.beam_size, 'beam size'),
    maxLen: positiveInt(flags.maxLen, spec.max_len, 'max length'),
    lengthPenalty: nonNegative(flags.lengthPenalty, spec.length_penalty, 'length penalty'),
    nBest: positiveInt(flags.nBest, spec.n_best, 'n-best'),
  };
  if (flags.nBest === undefined) {
    // The spec's n_best is a default: fit it to what the chosen search can return.
    if (s.strategy === 'greedy') s.nBest = 1;
    if (s.strategy === 'beam') s.nBest = Math.min(s.nBest, s.beamSize);
  }
  if (s.strategy === 'greedy' && s.nBest > 1) {
    throw new UserError(`n-best ${s.nBest} needs beam or exhaustive search; greedy search finds one hypothesis`,
      `add --beam ${s.nBest} (or --strategy beam --beam-size ${s.nBest})`);
  }
  if (s.strategy === 'beam' && s.nBest > s.beamSize) {
    throw new UserError(`n-best ${s.nBest} must be at most the beam size ${s.beamSize}`, `raise the beam size (--beam / --beam-size) to ${s.nBest}`);
  }
  return s;
}

function positiveInt(flag: string | number | undefined, fallback: number, what: string): number {
  if (flag === undefined) return fallback;
  const n = typeof flag === 'number' ? flag : Number(flag);
  if (!Number.isInteger(n) || n < 1 || String(flag).trim() === '') throw new UserError(`${what} must be a positive integer, got '${flag}'`);
  return n;
}

function nonNegative(flag: string | number | undefined, fallback: number, what: string): number {
  if (flag === undefined) return fallback;
  const n = typeof flag === 'number' ? flag : Number(flag);
  if (!Number.isFinite(n) || n < 0 || String(flag).trim() === '') throw new UserError(`${what} must be a number ≥ 0, got '${flag}'`);
  return n;
}

/** Host-side padded sources, row-major [batch, srcT]. */
export interface HostSources { src: Int32Array; srcLen: Int32Array; batch: number; srcT: number }

/**
 * All sentences in one search call; returns per-sentence n-best lists. With `attention`, each
 * hypothesis also carries its attention weights ([steps][src_len]; models with attention only).
 */
export function searchBatch(
  module: Seq2SeqModule, sources: HostSources, settings: DecodeSettings,
  specials: { bos: number; eos: number; pad: number }, attention = false,
): Hypothesis[][] {
  if (attention && !module.attentionNode) {
    throw new UserError(`the model ${module.specName} has no attention over the source, so there are no attention weights to show`,
      'leave out --attention (it is for specs with an `op: attention` node whose keys come from the source)');
  }
  guardDecode({ ...settings, batch: sources.batch, vocab: module.config.vocab.target ?? 0 }, tf.getBackend()); // hours or OOM: refuse
  const src = tf.tensor2d(sources.src, [sources.batch, sources.srcT], 'int32');
  const srcLen = tf.tensor1d(sources.srcLen, 'int32');
  const opts: SearchOptions = {
    ...specials, maxLen: settings.maxLen, beamSize: settings.beamSize, lengthPenalty: settings.lengthPenalty,
    nBest: settings.nBest, ...(attention ? { attention } : {}),
  };
  try {
    const run = settings.strategy === 'greedy' ? module.greedy : settings.strategy === 'beam' ? module.beam : module.exhaustive;
    let results: Hypothesis[][];
    try {
      results = run.call(module, src, srcLen, opts);
    } catch (e) {
      // The runtime's refusal names its own option; on the command line the way out is a flag.
      if (settings.strategy === 'exhaustive' && e instanceof UserError) {
        throw new UserError(e.message, 'use --strategy beam (or --beam K), or a smaller --max-len: exhaustive search is for tiny vocabularies');
      }
      throw e;
    }
    return results.map((list) => list.slice(0, settings.nBest));
  } finally {
    tf.dispose([src, srcLen]);
  }
}
