/**
 * What a model needs of its spec to run outside the CLI (browser-safe): name, task, the data
 * section's text pipeline (preprocessing, tokenizers, lengths) and the decode defaults, plus the
 * spec's sha256 so weights saved for another spec are recognized. `seqloom export --web` writes it
 * into the page; Node builds it from a spec (inferenceSpec) and anyone can pass it as JSON.
 */
import { UserError } from '../errors.js';
import type { DataSpec, DecodeSpec, Spec, StreamSpec, TaskKind } from '../spec/types.js';
import { PREPROCESS_STEPS } from '../runtime/text/preprocess.js';

export interface InferenceSpec {
  seqloom: 1;
  name: string;
  task: TaskKind;
  /** sha256 (hex) of the spec's text: model.safetensors records the same in its metadata. */
  spec_hash: string;
  data: DataSpec;
  decode: DecodeSpec;
}

/** A spec's inference part; data paths are dropped (they name files on the training machine). */
export function inferenceSpec(spec: Spec, specHash: string): InferenceSpec {
  return {
    seqloom: 1, name: spec.name, task: spec.task, spec_hash: specHash,
    data: { ...spec.data, path: null, resolvedPath: null }, decode: { ...spec.decode },
  };
}

const TOKENIZERS = ['word', 'char', 'segmenter'];
const STRATEGIES = ['greedy', 'beam', 'exhaustive'];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkStream(raw: unknown, where: string): StreamSpec {
  if (!isObject(raw)) throw new UserError(`${where}: expected {tokenizer, min_freq, max_len}`);
  if (!TOKENIZERS.includes(raw.tokenizer as string)) throw new UserError(`${where}.tokenizer must be one of ${TOKENIZERS.join(', ')}`);
  if (!Number.isInteger(raw.max_len) || (raw.max_len as number) < 1) throw new UserError(`${where}.max_len must be a positive integer`);
  return raw as unknown as StreamSpec;
}

/** An InferenceSpec from JSON, checked field by field (a bad file names what is wrong). */
export function parseInferenceSpec(raw: unknown, where: string): InferenceSpec {
  if (!isObject(raw) || raw.seqloom !== 1) throw new UserError(`${where}: not a seqloom inference spec (expected {"seqloom": 1, ...})`);
  if (typeof raw.name !== 'string') throw new UserError(`${where}: name must be a string`);
  if (raw.task !== 'seq2seq' && raw.task !== 'language-model') throw new UserError(`${where}: task must be seq2seq or language-model`);
  if (typeof raw.spec_hash !== 'string' || !/^[0-9a-f]{64}$/.test(raw.spec_hash)) throw new UserError(`${where}: spec_hash must be a sha256 hex string`);
  const data = raw.data;
  if (!isObject(data)) throw new UserError(`${where}: data must be an object`);
  if (!Array.isArray(data.preprocess) || !data.preprocess.every((s) => (PREPROCESS_STEPS as readonly unknown[]).includes(s))) {
    throw new UserError(`${where}: data.preprocess must list steps among ${PREPROCESS_STEPS.join(', ')}`);
  }
  for (const stream of raw.task === 'seq2seq' ? ['source', 'target'] : ['tokens']) checkStream(data[stream], `${where}: data.${stream}`);
  const decode = raw.decode;
  if (!isObject(decode) || !STRATEGIES.includes(decode.strategy as string)) throw new UserError(`${where}: decode.strategy must be one of ${STRATEGIES.join(', ')}`);
  for (const key of ['beam_size', 'max_len', 'n_best']) {
    if (!Number.isInteger(decode[key]) || (decode[key] as number) < 1) throw new UserError(`${where}: decode.${key} must be a positive integer`);
  }
  if (typeof decode.length_penalty !== 'number' || !(decode.length_penalty >= 0)) throw new UserError(`${where}: decode.length_penalty must be a number ≥ 0`);
  return raw as unknown as InferenceSpec;
}
