/**
 * Loaded data → the trainer's per-epoch batches. Each epoch's shuffle is seeded from (seed, epoch)
 * alone, never from a generator carried across epochs, so epoch k's batches are the same in an
 * uninterrupted run and in one resumed at epoch k — the data half of exact resume.
 */
import type { DataSpec, TrainSpec } from '../spec/types.js';
import type { Seq2seqData } from '../runtime/data/seq2seq.js';
import type { LmData } from '../runtime/data/lm.js';
import { seq2seqBatches } from '../runtime/data/batches.js';
import { lmBatchesRandom, lmBatchesSequential } from '../runtime/data/lm.js';
import { UserError } from '../errors.js';
import type { EpochData } from './trainer.js';

/** A well-mixed 32-bit seed for (seed, epoch) (splitmix32 finalizer over both words). */
export function epochSeed(seed: number, epoch: number): number {
  let z = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(epoch | 0, 0x85ebca77)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function seq2seqEpochs(data: Seq2seqData, train: TrainSpec, seed: number): EpochData {
  if (data.train.count === 0) throw new UserError('the training split is empty');
  return {
    batches: (epoch) => seq2seqBatches(data.train, train.batch_size, epochSeed(seed, epoch), true, data.tgtVocab.bos),
  };
}

export function lmEpochs(data: LmData, dataSpec: DataSpec, train: TrainSpec, seed: number): EpochData {
  const numSteps = dataSpec.num_steps ?? 35;
  const sequential = dataSpec.sampling === 'sequential';
  return {
    batches: (epoch) => (sequential ? lmBatchesSequential : lmBatchesRandom)(
      data.train, train.batch_size, numSteps, epochSeed(seed, epoch)),
  };
}
