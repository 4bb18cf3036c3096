/**
 * The training loop: epochs of batches through a generated module's `trainStep`, with progress
 * events, an async hook after every step and at the end of every epoch (where the caller
 * checkpoints), and a stop check after every step (interrupts). It can start inside an epoch
 * (`resumeAt`): epoch batches are a pure function of the epoch, so it skips the batches already done
 * and carries on with the saved partial sums (and a language model's carried state), bit for bit.
 * Knows nothing about files or terminals; `session.ts` wires it to data, checkpoints and the reporter.
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
  /**
   * Batches of epoch `epoch` (1-based); an array, or an iterable with a `length`, tells its length
   * to the progress bar; one with a `paddingFraction` reports it in the epoch's summary.
   */
  batches(epoch: number): Iterable<HostBatch> & { length?: number; paddingFraction?: number };
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
  /** Share of batch positions that were padding (seq2seq). */
  paddingFraction?: number;
}

export interface TrainObserver {
  epochStart?(epoch: number, epochs: number, batches: number): void;
  batchEnd?(p: BatchProgress): void;
  epochEnd?(s: EpochSummary, epochs: number): void;
}

/** Where an epoch stands after `batch` of its batches: the sums its summary is made of. */
export interface EpochProgress {
  /** Batches of the epoch done. */
  batch: number;
  /** Σ loss·tokens, Σ tokens, Σ gradient norm, training seconds so far in this epoch. */
  lossSum: number;
  tokens: number;
  normSum: number;
  seconds: number;
}

/** The loop's position after a step, for the `afterStep` hook (a mid-epoch checkpoint). */
export interface StepPoint {
  /** The epoch in progress (1-based). */
  epoch: number;
  /** Batches in this epoch (0 when the data does not say). */
  batches: number;
  /** Global optimizer step count after this step. */
  step: number;
  progress: EpochProgress;
  /** A language model's carried state after this step (carry_state), else null; only valid during the call. */
  carried: unknown;
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
  /** Awaited after each step, before the stop check (mid-epoch checkpoints). */
  afterStep?: (p: StepPoint) => Promise<void> | void;
  /** Asked after each step (and its afterStep): true ends the loop there (an interrupt). */
  shouldStop?: () => boolean;
  /**
   * Start inside epoch `startEpoch + 1`: skip its first `progress.batch` batches and continue its
   * sums; `carried` is a language model's state after them (carry_state), owned by the loop from here.
   */
  resumeAt?: { progress: EpochProgress; carried: unknown };
}

export interface TrainResult {
  epochs: EpochSummary[]; step: number; seconds: number; tokens: number;
  /** Set when `shouldStop` ended the loop: where it stopped (epoch in progress, batches done in it). */
  stopped?: { epoch: number; batch: number; step: number };
}

/** Thrown when a step produces a non-finite loss or gradient norm; the caller adds checkpoint advice. */
export class DivergenceError extends UserError {
  constructor(readonly step: number, readonly epoch: number, readonly batch: number, readonly what: string) {
    super(`training diverged at step ${step} (epoch ${epoch}, batch ${batch}): ${what}`,
      'lower the learning rate (train.optimizer.lr) or set train.clip_norm');
    this.name = 'DivergenceError';
  }
}

/**
 * How often (ms) the loop lets the event loop in: signals (Ctrl-C), progress redraws and timers run
 * only then. A yield costs microseconds; a shorter interval means a quicker stop on Ctrl-C.
 */
const YIELD_MS = 50;

export async function trainLoop(opts: TrainLoopOptions): Promise<TrainResult> {
  const { module, data, observer } = opts;
  const started = performance.now();
  const summaries: EpochSummary[] = [];
  let step = opts.startStep;
  let totalTokens = 0;
  let resumeAt = opts.resumeAt;
  // Across epochs, not per epoch: a run of many short epochs must still let signals and timers in.
  let lastYield = started;
  for (let epoch = opts.startEpoch + 1; epoch <= opts.epochs; epoch++) {
    const epochBatches = data.batches(epoch);
    const batchCount = epochBatches.length ?? data.batchesPerEpoch ?? 0;
    observer?.epochStart?.(epoch, opts.epochs, batchCount);
    const t0 = performance.now();
    const done: EpochProgress = resumeAt ? { ...resumeAt.progress } : { batch: 0, lossSum: 0, tokens: 0, normSum: 0, seconds: 0 };
    const secondsBefore = done.seconds, tokensBefore = done.tokens;
    const skip = done.batch;
    let lmState: unknown = resumeAt?.carried ?? null;
    resumeAt = undefined;
    let seen = 0;
    let stopped = false;
    const here = (): StepPoint => ({ epoch, batches: batchCount, step, progress: { ...done }, carried: lmState });
    try {
      for (const host of epochBatches) {
        if (++seen <= skip) continue; // done before the resume: the same batches, in the same order
        if (opts.shouldStop?.()) { // asked during the previous epoch's hook: stop before another step
          await opts.afterStep?.(here());
          stopped = true;
          break;
        }
        done.batch++;
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
          throw new DivergenceError(step, epoch, done.batch, `the loss is ${result.loss}`);
        }
        if (!Number.isFinite(result.gradNorm)) {
          throw new DivergenceError(step, epoch, done.batch, `the gradient norm is ${result.gradNorm} (loss ${result.loss.toFixed(4)})`);
        }
        done.lossSum += result.loss * result.tokens;
        done.tokens += result.tokens;
        done.normSum += result.gradNorm;
        const now = performance.now();
        done.seconds = secondsBefore + (now - t0) / 1000;
        observer?.batchEnd?.({
          epoch, epochs: opts.epochs, batch: done.batch, batches: batchCount, step,
          loss: result.loss, gradNorm: result.gradNorm, epochLoss: done.lossSum / Math.max(done.tokens, 1),
          tokensPerSecond: done.tokens / Math.max(done.seconds, 1e-9),
        });
        // Let timers (progress redraws, signals) run during long epochs.
        if (now - lastYield > YIELD_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        await opts.afterStep?.(here());
        if (opts.shouldStop?.()) {
          stopped = true;
          break;
        }
      }
    } finally {
      if (lmState !== null) (module as LanguageModelModule).disposeState(lmState);
    }
    if (stopped) {
      totalTokens += done.tokens - tokensBefore;
      return { epochs: summaries, step, seconds: (performance.now() - started) / 1000, tokens: totalTokens, stopped: { epoch, batch: done.batch, step } };
    }
    if (done.batch === 0) throw new UserError('the training data yields no batches (is the data set empty?)');
    const seconds = secondsBefore + (performance.now() - t0) / 1000;
    const loss = done.lossSum / Math.max(done.tokens, 1);
    const summary: EpochSummary = {
      epoch, loss, perplexity: Math.exp(loss), gradNorm: done.normSum / done.batch, tokens: done.tokens, seconds,
      tokensPerSecond: done.tokens / Math.max(seconds, 1e-9), step, paddingFraction: epochBatches.paddingFraction,
    };
    totalTokens += done.tokens - tokensBefore;
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
