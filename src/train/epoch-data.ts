/**
 * Loaded data → the trainer's per-epoch batches. Each epoch's order is seeded from (seed, epoch)
 * alone (runtime/data's `epochSeed`), so epoch k's batches are the same in an uninterrupted run and
 * in one resumed at epoch k — the data half of exact resume. Seq2seq batches are planned up front
 * (example indices, runtime/data's `epochBatchPlan`) and their arrays built one at a time as the
 * trainer asks: `at(k)` is batch k, so a run resumed mid-epoch can start at any batch.
 */
import type { DataSpec, TrainSpec } from '../spec/types.js';
import type { Seq2seqData } from '../runtime/data/seq2seq.js';
import type { LmData } from '../runtime/data/lm.js';
import { epochBatchPlan, seq2seqBatch, trimsBatches, type BatchingOptions, type Seq2seqBatchArrays } from '../runtime/data/batches.js';
import { epochSeed } from '../runtime/data/rng.js';
import { lmBatchesRandom, lmBatchesSequential } from '../runtime/data/lm.js';
import { UserError } from '../errors.js';
import type { EpochData } from './trainer.js';

export { epochSeed };

/** One epoch's seq2seq batches: planned (indices), materialized when read. */
export class PlannedBatches implements Iterable<Seq2seqBatchArrays> {
  /** Share of the epoch's batch positions (source and target) that are padding. */
  readonly paddingFraction: number;

  constructor(private readonly data: Seq2seqData, readonly plan: readonly Int32Array[], private readonly trim: boolean) {
    const { srcLen, tgtLen, srcT, tgtT } = data.train;
    let padded = 0, total = 0;
    for (const rows of plan) {
      let valid = 0, longSrc = 1, longTgt = 1;
      for (const i of rows) {
        valid += srcLen[i]! + tgtLen[i]!;
        longSrc = Math.max(longSrc, srcLen[i]!);
        longTgt = Math.max(longTgt, tgtLen[i]!);
      }
      const width = trim ? longSrc + longTgt : srcT + tgtT;
      total += rows.length * width;
      padded += rows.length * width - valid;
    }
    this.paddingFraction = total > 0 ? padded / total : 0;
  }

  get length(): number {
    return this.plan.length;
  }
  /** Batch k's arrays (0-based). */
  at(k: number): Seq2seqBatchArrays {
    return seq2seqBatch(this.data.train, this.plan[k]!, this.trim, this.data.tgtVocab.bos);
  }
  *[Symbol.iterator](): Iterator<Seq2seqBatchArrays> {
    for (let k = 0; k < this.plan.length; k++) yield this.at(k);
  }
}

/** The spec's batching settings for seq2seq training. */
export function batchingOptions(dataSpec: DataSpec, train: TrainSpec): BatchingOptions {
  return { batchSize: train.batch_size, batchTokens: train.batch_tokens ?? null, bucketing: dataSpec.bucketing ?? false };
}

export function seq2seqEpochs(data: Seq2seqData, train: TrainSpec, seed: number, dataSpec?: DataSpec): EpochData {
  if (data.train.count === 0) throw new UserError('the training split is empty');
  const o = dataSpec ? batchingOptions(dataSpec, train) : { batchSize: train.batch_size };
  return {
    batches: (epoch) => new PlannedBatches(data, epochBatchPlan(data.train, o, seed, epoch), trimsBatches(o)),
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
