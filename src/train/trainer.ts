/**
 * The training loop: epochs of batches through a generated module's `trainStep`, with progress
 * events and an async hook at the end of every epoch (where the caller checkpoints). Knows nothing
 * about files or terminals; `session.ts` wires it to data, checkpoints and the progress reporter.
 */
import * as tf from '@tensorflow/tfjs';
import type { AnyModule, LanguageModelModule, Seq2SeqModule, StepResult } from '../runtime/module.js';
import { UserError } from '../errors.js';
import {
  type HostBatch, type HostLmBatch, type HostSeq2SeqBatch,
  disposeBatch, isSeq2SeqHostBatch, lmTensors, seq2seqTensors,
} from './batch-tensors.js';

/** Where the batches of each epoch come from; deterministic in the epoch number. */
export interface EpochData {
  /** Batches of epoch `epoch` (1-based); an array tells its own length to the progress bar. */
  batches(epoch: number): Iterable<HostBatch>;
  /** Number of batches per epoch when `batches` is not an array (for progress and ETA). */
  batchesPerEpoch?: number;
}

export interface BatchProgress {
  epoch: number; epochs: number; batch: number; batches: number; step: number;
  loss: number; gradNorm: number;
  /** Token-weighted mean loss of the epoch so far. */
  epochLoss: number;
  tokensPerSecond: number;
}

export interface EpochSummary {
  epoch: number;
  /** Token-weighted mean loss over the epoch. */
  loss: number;
  perplexity: number;
  /** Mean gradient norm before clipping. */
  gradNorm: number;
  tokens: number;
  seconds: number;
  tokensPerSecond: number;
  /** Global optimizer step count after this epoch. */
  step: number;
}

export interface TrainObserver {
  epochStart?(epoch: number, epochs: number, batches: number): void;
  batchEnd?(p: BatchProgress): void;
  epochEnd?(s: EpochSummary, epochs: number): void;
}

export interface TrainLoopOptions {
  module: AnyModule;
  optimizer: tf.Optimizer;
  clipNorm: number | null;
  data: EpochData;
  /** Epochs already done (0 for a fresh run; the checkpoint's epoch when resuming). */
  startEpoch: number;
  /** Total epochs to reach. */
  epochs: number;
  /** Optimizer steps already taken. */
  startStep: number;
  /** Language models: carry the hidden state from batch to batch within an epoch. */
  carryState?: boolean;
  observer?: TrainObserver;
  /** Awaited after each epoch's summary (checkpointing happens here). */
  afterEpoch?: (s: EpochSummary) => Promise<void> | void;
}

export interface TrainResult { epochs: EpochSummary[]; step: number; seconds: number; tokens: number }

/** Thrown when a step produces a non-finite loss or gradient norm; the caller adds checkpoint advice. */
export class DivergenceError extends UserError {
  constructor(readonly step: number, readonly epoch: number, readonly batch: number, readonly what: string) {
    super(`training diverged at step ${step} (epoch ${epoch}, batch ${batch}): ${what}`,
      'lower the learning rate (train.optimizer.lr) or set train.clip_norm');
    this.name = 'DivergenceError';
  }
}

export async function trainLoop(opts: TrainLoopOptions): Promise<TrainResult> {
  const { module, data, observer } = opts;
  const started = performance.now();
  const summaries: EpochSummary[] = [];
  let step = opts.startStep;
  let totalTokens = 0;
  for (let epoch = opts.startEpoch + 1; epoch <= opts.epochs; epoch++) {
    const epochBatches = data.batches(epoch);
    const batchCount = Array.isArray(epochBatches) ? epochBatches.length : data.batchesPerEpoch ?? 0;
    observer?.epochStart?.(epoch, opts.epochs, batchCount);
    const t0 = performance.now();
    let lossSum = 0, tokens = 0, normSum = 0, batchIndex = 0;
    let lmState: unknown = null;
    let lastYield = t0;
    try {
      for (const host of epochBatches) {
        batchIndex++;
        step++;
        let result: StepResult;
        if (isSeq2SeqHostBatch(host)) {
          result = seq2seqStep(module as Seq2SeqModule, host, opts);
        } else {
          const out = lmStep(module as LanguageModelModule, host, lmState, opts);
          lmState = out.state;
          result = out;
        }
        if (!Number.isFinite(result.loss)) {
          throw new DivergenceError(step, epoch, batchIndex, `the loss is ${result.loss}`);
        }
        if (!Number.isFinite(result.gradNorm)) {
          throw new DivergenceError(step, epoch, batchIndex, `the gradient norm is ${result.gradNorm} (loss ${result.loss.toFixed(4)})`);
        }
        lossSum += result.loss * result.tokens;
        tokens += result.tokens;
        normSum += result.gradNorm;
        const now = performance.now();
        observer?.batchEnd?.({
          epoch, epochs: opts.epochs, batch: batchIndex, batches: batchCount, step,
          loss: result.loss, gradNorm: result.gradNorm, epochLoss: lossSum / Math.max(tokens, 1),
          tokensPerSecond: tokens / Math.max((now - t0) / 1000, 1e-9),
        });
        // Let timers (progress redraws, signals) run during long epochs.
        if (now - lastYield > 200) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
    } finally {
      if (lmState !== null) (module as LanguageModelModule).disposeState(lmState);
    }
    if (batchIndex === 0) throw new UserError('the training data yields no batches (is the data set empty?)');
    const seconds = (performance.now() - t0) / 1000;
    const loss = lossSum / Math.max(tokens, 1);
    const summary: EpochSummary = {
      epoch, loss, perplexity: Math.exp(loss), gradNorm: normSum / batchIndex, tokens, seconds,
      tokensPerSecond: tokens / Math.max(seconds, 1e-9), step,
    };
    totalTokens += tokens;
    summaries.push(summary);
    observer?.epochEnd?.(summary, opts.epochs);
    await opts.afterEpoch?.(summary);
  }
  return { epochs: summaries, step, seconds: (performance.now() - started) / 1000, tokens: totalTokens };
}

function seq2seqStep(module: Seq2SeqModule, host: HostSeq2SeqBatch, opts: TrainLoopOptions): StepResult {
  const batch = seq2seqTensors(host);
  try {
    return module.trainStep(batch, opts.optimizer, opts.clipNorm);
  } finally {
    disposeBatch(batch);
  }
}

function lmStep(
  module: LanguageModelModule, host: HostLmBatch, state: unknown, opts: TrainLoopOptions,
): StepResult & { state: unknown } {
  const batch = lmTensors(host);
  try {
    const out = module.trainStep(batch, opts.carryState ? state : null, opts.optimizer, opts.clipNorm);
    if (state !== null && state !== out.state) module.disposeState(state);
    if (!opts.carryState) {
      module.disposeState(out.state);
      return { ...out, state: null };
    }
    return out;
  } finally {
    disposeBatch(batch);
  }
}
