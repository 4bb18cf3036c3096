/**
 * When to checkpoint and what goes in: the training run's side of checkpoint.ts.
 */
import type { Spec } from '../spec/types.js';
import type { AnyModule } from '../runtime/module.js';
import type { CheckpointContents, EpochRecord } from './checkpoint.js';
import type { OptimizerState } from './optimizer-state.js';
import type { TrainingData } from './session-data.js';

/**
 * Save after the last epoch always; in between, every `every` epochs when given, else after any
 * epoch once at least 10× the previous save's duration has passed since it — every epoch when saving
 * is cheap (small models), spaced out so saving never costs more than ~10% of the run when not.
 */
export class CheckpointPolicy {
  private lastSaveEnd = 0;
  private lastSaveMs = 0;
  constructor(private readonly every?: number) {}

  due(epoch: number, isLast: boolean, now = performance.now()): boolean {
    if (isLast) return true;
    if (this.every !== undefined) return epoch % this.every === 0;
    return now - this.lastSaveEnd >= 10 * this.lastSaveMs;
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

export function checkpointContents(a: {
  spec: Spec; module: AnyModule; data: TrainingData; seed: number; backend: string; epoch: number; step: number;
  history: EpochRecord[]; optimizer: OptimizerState; moduleRng: number[] | null;
}): CheckpointContents {
  const last = a.history.at(-1);
  return {
    meta: {
      spec_name: a.spec.name, task: a.spec.task,
      seed: a.seed, epoch: a.epoch, step: a.step,
      metrics: last ? { loss: last.loss, perplexity: last.perplexity, tokens_per_second: last.tokens_per_second } : {},
      history: a.history, data: { path: a.data.path, origin: a.data.origin }, module_rng: a.moduleRng, backend: a.backend,
    },
    weights: a.module.exportTensors(),
    optimizer: a.optimizer,
    vocabs: a.data.vocabs,
    specText: a.spec.source,
  };
}
