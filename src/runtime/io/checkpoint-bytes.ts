/**
 * A checkpoint's contents from bytes (browser-safe): the parts of reading a checkpoint that need no
 * file system, shared by loadCheckpoint and readCheckpoint (Node) and by loading a model from bytes
 * or URLs (the browser), so both give the same errors. `where` (a path or a URL) starts each message.
 */
import { UserError } from '../../errors.js';
import type { AnyModule, GeneratedModuleClass, ModuleConfig, TensorDict } from '../module.js';
import { Vocab } from '../text/vocab.js';
import type { SafetensorsTensor } from './safetensors.js';

export type CheckpointTask = 'seq2seq' | 'language-model';

export type CheckpointVocabs =
  | { task: 'seq2seq'; source: Vocab; target: Vocab }
  | { task: 'language-model'; tokens: Vocab };

/** UTF-8 text; invalid bytes are a UserError naming `where`. */
export function decodeUtf8(bytes: Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError(`${where}: not valid UTF-8`);
  }
}

/** JSON from bytes: `<where>: not valid JSON (…)` otherwise. */
export function parseJsonBytes(bytes: Uint8Array, where: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new UserError(`${where}: not valid JSON (${err instanceof SyntaxError ? err.message : 'not UTF-8'})`);
  }
}

/** vocab.json's `{"<stream>": {"tokens": [...]}}`, each vocabulary checked. */
export function parseVocabJson(raw: unknown, where: string): Record<string, Vocab> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${where}: expected {"<stream>": {"tokens": [...]}}`);
  const vocab: Record<string, Vocab> = {};
  for (const [stream, v] of Object.entries(raw)) vocab[stream] = Vocab.fromJSON(v, `${where} (${stream})`);
  return vocab;
}

/** The vocabularies a task needs: source and target, or tokens. */
export function checkpointVocabs(vocab: Record<string, Vocab>, task: CheckpointTask, where: string): CheckpointVocabs {
  const need = (stream: string): Vocab => {
    const v = Object.hasOwn(vocab, stream) ? vocab[stream] : undefined;
    if (!v) throw new UserError(`${where}: no "${stream}" vocabulary (a ${task} checkpoint has one)`);
    return v;
  };
  return task === 'seq2seq'
    ? { task: 'seq2seq', source: need('source'), target: need('target') }
    : { task: 'language-model', tokens: need('tokens') };
}

/** Float32 weights from a safetensors read (an int32 tensor is not a parameter). */
export function floatTensors(tensors: Record<string, SafetensorsTensor>, where: string): TensorDict {
  const out: TensorDict = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (!(t.data instanceof Float32Array)) throw new UserError(`${where}: tensor ${name} is ${t.fileDtype}, parameters are floating point`);
    out[name] = { shape: t.shape, data: t.data };
  }
  return out;
}

/** The module's sizes from its vocabularies. */
export function moduleConfig(vocabs: CheckpointVocabs, seed: number): ModuleConfig {
  return {
    vocab: vocabs.task === 'seq2seq' ? { source: vocabs.source.size, target: vocabs.target.size } : { tokens: vocabs.tokens.size },
    seed,
  };
}

/** Builds a module and loads weights into it; disposes it again when the weights do not fit. */
export function instantiate(ModuleClass: GeneratedModuleClass, config: ModuleConfig, weights: TensorDict, where: string): AnyModule {
  const module = new ModuleClass(config);
  try {
    module.importTensors(weights);
  } catch (e) {
    module.dispose();
    if (e instanceof UserError) throw new UserError(`${where}: ${e.message}`, e.hint ?? 'were these weights trained with this spec?');
    throw e;
  }
  return module;
}
