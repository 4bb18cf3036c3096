/**
 * The torch engine's batch events → the trainer's progress records (trainer.ts's BatchProgress and
 * EpochSummary, with the same arithmetic: token-weighted epoch loss, mean gradient norm) and
 * metrics-log.ts's StepStanding, so the progress reporter and metrics.jsonl (per-epoch records, and
 * per-step ones on long epochs) read the same for both engines.
 */
import type { BatchProgress, EpochSummary } from '../trainer.js';
import type { StepStanding } from '../metrics-log.js';

/** One `batch` event of python/seqloom_torch/train.py (rank 0: the global batch). */
export interface BatchEvent { epoch: number; batch: number; batches: number; step: number; loss: number; grad_norm: number; tokens: number; seconds: number }

export class EpochTally {
  private epoch = 0;
  private batches = 0;
  private lossSum = 0;
  private tokens = 0;
  private normSum = 0;
  private count = 0;
  private seconds = 0;

  constructor(private readonly epochs: number) {}

  start(epoch: number, batches: number): void {
    this.epoch = epoch;
    this.batches = batches;
    this.lossSum = this.tokens = this.normSum = this.count = 0;
  }

  batch(e: BatchEvent): BatchProgress {
    this.lossSum += e.loss * e.tokens;
    this.tokens += e.tokens;
    this.normSum += e.grad_norm;
    this.count++;
    this.seconds = e.seconds;
    return {
      epoch: e.epoch, epochs: this.epochs, batch: e.batch, batches: e.batches, step: e.step, loss: e.loss, gradNorm: e.grad_norm,
      epochLoss: this.lossSum / Math.max(this.tokens, 1), tokensPerSecond: this.tokens / Math.max(e.seconds, 1e-9),
    };
  }

  /** Where the epoch stands (metrics-log.ts's StepStanding): the per-step records of long epochs read it. */
  standing(step: number): StepStanding {
    return { epoch: this.epoch, batches: this.batches, step, progress: { batch: this.count, lossSum: this.lossSum, tokens: this.tokens, seconds: this.seconds } };
  }

  end(seconds: number, step: number): EpochSummary {
    const loss = this.lossSum / Math.max(this.tokens, 1);
    return {
      epoch: this.epoch, loss, perplexity: Math.exp(loss), gradNorm: this.normSum / Math.max(this.count, 1), tokens: this.tokens,
      seconds, tokensPerSecond: this.tokens / Math.max(seconds, 1e-9), step,
    };
  }
}
