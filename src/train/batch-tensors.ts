/**
 * Host batches (typed arrays from the data layer) → the int32 tensors a generated module takes.
 * The caller owns the tensors: `disposeBatch` frees them after the step.
 */
import * as tf from '@tensorflow/tfjs';
import type { LmBatch, Seq2SeqBatch } from '../runtime/module.js';

/** A seq2seq batch as the data layer yields it: row-major int32, padded with `<pad>`. */
export interface HostSeq2SeqBatch {
  src: Int32Array; srcLen: Int32Array; tgtIn: Int32Array; tgtOut: Int32Array; tgtLen: Int32Array;
  batch: number; srcT: number; tgtT: number;
}

/** A language-model batch: `y` is `x` shifted by one token. */
export interface HostLmBatch { x: Int32Array; y: Int32Array; batch: number; steps: number }

export type HostBatch = HostSeq2SeqBatch | HostLmBatch;

export function isSeq2SeqHostBatch(b: HostBatch): b is HostSeq2SeqBatch {
  return (b as HostSeq2SeqBatch).src !== undefined;
}

export function seq2seqTensors(b: HostSeq2SeqBatch): Seq2SeqBatch {
  return {
    src: tf.tensor2d(b.src, [b.batch, b.srcT], 'int32'),
    srcLen: tf.tensor1d(b.srcLen, 'int32'),
    tgtIn: tf.tensor2d(b.tgtIn, [b.batch, b.tgtT], 'int32'),
    tgtOut: tf.tensor2d(b.tgtOut, [b.batch, b.tgtT], 'int32'),
    tgtLen: tf.tensor1d(b.tgtLen, 'int32'),
  };
}

export function lmTensors(b: HostLmBatch): LmBatch {
  return {
    x: tf.tensor2d(b.x, [b.batch, b.steps], 'int32'),
    y: tf.tensor2d(b.y, [b.batch, b.steps], 'int32'),
  };
}

export function disposeBatch(b: Seq2SeqBatch | LmBatch): void {
  tf.dispose(Object.values(b) as tf.Tensor[]);
}

/** Tokens that count toward the loss (valid target positions). */
export function hostBatchTokens(b: HostBatch): number {
  if (isSeq2SeqHostBatch(b)) {
    let n = 0;
    for (const len of b.tgtLen) n += len;
    return n;
  }
  return b.batch * b.steps;
}
