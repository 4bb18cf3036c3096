/**
 * Shared by the codegen tests: where the specs and their committed modules are, small batches, and
 * loading a spec's generated module through src/compile (the path every command takes).
 */
import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGeneratedModule } from '../../src/compile/index.js';
import type { LanguageModelModule, LmBatch, Seq2SeqBatch, Seq2SeqModule } from '../../src/runtime/module.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_SPECS = path.join(REPO, 'test/codegen/specs');

/** Spec files of a folder, sorted. */
export function yamlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(dir, f));
}

/** The example specs (models/*.yaml) and the codegen test specs, each with its committed module folder. */
export const SPEC_SETS = [
  { specs: path.join(REPO, 'models'), generated: path.join(REPO, 'models/generated') },
  { specs: TEST_SPECS, generated: path.join(REPO, 'test/codegen/generated') },
];

/** A generated seq2seq class: the Seq2SeqModule contract plus its decoding-path forward. */
export type GeneratedSeq2Seq = Seq2SeqModule & {
  forwardStepwise(batch: Seq2SeqBatch, training: boolean, teacherForcing?: number): tf.Tensor3D;
};

export async function seq2seqModule(spec: string, vocab: { source: number; target: number }, seed = 0): Promise<GeneratedSeq2Seq> {
  const { ModuleClass } = await loadGeneratedModule(spec);
  return new ModuleClass({ vocab, seed }) as GeneratedSeq2Seq;
}

export async function languageModel(spec: string, tokens: number, seed = 0): Promise<LanguageModelModule> {
  const { ModuleClass } = await loadGeneratedModule(spec);
  return new ModuleClass({ vocab: { tokens }, seed }) as LanguageModelModule;
}

/** A padded seq2seq batch (ids < 4 are the specials; <bos> = 2, <eos> = 3, <pad> = 0). */
export function tinyBatch(): Seq2SeqBatch {
  const int2 = (rows: number[][]): tf.Tensor2D => tf.tensor2d(rows, undefined, 'int32');
  return {
    src: int2([[4, 5, 6, 3, 0], [7, 3, 0, 0, 0], [8, 9, 10, 4, 3]]),
    srcLen: tf.tensor1d([4, 2, 5], 'int32'),
    tgtIn: int2([[2, 8, 9, 10], [2, 11, 3, 0], [2, 4, 5, 6]]),
    tgtOut: int2([[8, 9, 10, 3], [11, 3, 0, 0], [4, 5, 6, 3]]),
    tgtLen: tf.tensor1d([4, 2, 4], 'int32'),
  };
}

export function tinyLmBatch(vocab: number, batch = 3, steps = 6, offset = 0): LmBatch {
  const ids = (shift: number): number[][] =>
    Array.from({ length: batch }, (_, b) => Array.from({ length: steps }, (_, t) => (b * 7 + t * 3 + shift + offset) % vocab));
  return { x: tf.tensor2d(ids(0), undefined, 'int32'), y: tf.tensor2d(ids(3), undefined, 'int32') };
}

export function disposeBatch(batch: Seq2SeqBatch | LmBatch): void {
  tf.dispose(Object.values(batch) as tf.Tensor[]);
}

/** Largest absolute difference of two tensors' values. */
export function maxAbsDiff(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const x = a instanceof tf.Tensor ? a.dataSync() : a;
  const y = b instanceof tf.Tensor ? b.dataSync() : b;
  if (x.length !== y.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  return m;
}
