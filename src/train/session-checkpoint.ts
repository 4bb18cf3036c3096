/**
 * When to checkpoint and what goes in: the training run's side of checkpoint.ts.
 */
import type { CheckpointEvery, Spec } from '../spec/types.js';
import type { AnyModule, TensorDict } from '../runtime/module.js';
import type { CheckpointContents, EpochProgressRecord, EpochRecord } from './checkpoint.js';
import type { EpochProgress } from './trainer.js';
import type { OptimizerState } from './optimizer-state.js';
import type { TrainingData } from './session-data.js';
import type { SteeringState } from './steering.js';

/** The default's floor for mid-epoch saves: a kill loses at most about this much training. */
export const DEFAULT_MID_EPOCH_SECONDS = 600;

/**
 * When to save. Always after the last epoch (and on an interrupt: the session's call). Otherwise:
 *   - `N epochs`: after every N-th epoch;
 *   - `N steps`: after every step whose global count is a multiple of N (mid-epoch too);
 *   - a wall interval: after the first step or epoch end that is at least that long after the
 *     previous save (or the start);
 *   - default (none given): after any epoch once at least 10× the previous save's duration has
 *     passed since it — every epoch when saving is cheap (small models), spaced out so saving never
 *     costs more than ~10% of the run when not — and mid-epoch once 10 minutes (or 10× the previous
 *     save's duration, if longer) have passed, so long epochs are never unprotected.
 */
export class CheckpointPolicy {
  private lastSaveEnd: number;
  private lastSaveMs = 0;
  constructor(private readonly every?: CheckpointEvery, now = performance.now()) {
    this.lastSaveEnd = now;
  }

  /** After a step inside an epoch (`step` is the global count after it). */
  dueAfterStep(step: number, now = performance.now()): boolean {
    const since = now - this.lastSaveEnd;
    switch (this.every?.unit) {
      case 'epochs': return false;
      case 'steps': return step % this.every.n === 0;
      case 'seconds': return since >= this.every.n * 1000;
      default: return since >= Math.max(DEFAULT_MID_EPOCH_SECONDS * 1000, 10 * this.lastSaveMs);
    }
  }

  /** At the end of epoch `epoch` (1-based); `isLast`: the run's final epoch. */
  dueAtEpochEnd(epoch: number, isLast: boolean, now = performance.now()): boolean {
    if (isLast) return true;
    switch (this.every?.unit) {
      case 'epochs': return epoch % this.every.n === 0;
      case 'steps': return false;
      case 'seconds': return now - this.lastSaveEnd >= this.every.n * 1000;
      default: return this.lastSaveMs === 0 || now - this.lastSaveEnd >= 10 * this.lastSaveMs;
    }
  }

  async timed(save: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    await save();
    this.lastSaveEnd = performance.now();
    this.lastSaveMs = this.lastSaveEnd - t0;
  }
}

/** The module's dropout RNG state when it exposes one (GeneratedModule.rngState, optional). */
export function getModuleRng(module: AnyModule): number[] | null {
  return typeof module.rngState === 'function' && typeof module.setRngState === 'function' ? module.rngState() : null;
}

/** Restores the dropout RNG; returns whether the module took the state. */
export function setModuleRng(module: AnyModule, state: number[] | null): boolean {
  if (typeof module.setRngState !== 'function' || state === null) return false;
  module.setRngState(state);
  return true;
}

/** Where a save is taken: after `epoch` whole epochs and, mid-epoch, `progress` into the next one. */
export interface SavePoint {
  epoch: number;
  step: number;
  progress: EpochProgress | null;
  /** The language model's carried state (mid-epoch, carry_state), else null. */
  carried: TensorDict | null;
}

export function progressRecord(p: EpochProgress): EpochProgressRecord {
  return { batch: p.batch, loss_sum: p.lossSum, tokens: p.tokens, grad_norm_sum: p.normSum, seconds: p.seconds };
}

export function progressFromRecord(r: EpochProgressRecord): EpochProgress {
  return { batch: r.batch, lossSum: r.loss_sum, tokens: r.tokens, normSum: r.grad_norm_sum, seconds: r.seconds };
}

export function checkpointContents(a: {
  spec: Spec; module: AnyModule; data: TrainingData; seed: number; backend: string; at: SavePoint;
  history: EpochRecord[]; optimizer: OptimizerState; moduleRng: number[] | null;
  steering?: SteeringState; validPath?: string | null;
}): CheckpointContents {
  const last = a.history.at(-1);
  return {
    meta: {
      spec_name: a.spec.name, task: a.spec.task,
      seed: a.seed, epoch: a.at.epoch, step: a.at.step,
      epoch_progress: a.at.progress && a.at.progress.batch > 0 ? progressRecord(a.at.progress) : null,
      metrics: last ? { loss: last.loss, perplexity: last.perplexity, tokens_per_second: last.tokens_per_second } : {},
      history: a.history, data: { path: a.data.path, origin: a.data.origin }, module_rng: a.moduleRng, backend: a.backend,
      ...(a.steering ? { steering: a.steering } : {}), ...(a.validPath ? { valid_path: a.validPath } : {}),
    },
    weights: a.module.exportTensors(),
    optimizer: a.optimizer,
    carried: a.at.carried,
    vocabs: a.data.vocabs,
    specText: a.spec.source,
  };
}
