/**
 * The training run's checkpoint writer: decides after each step and epoch whether to save (the
 * CheckpointPolicy, or an interrupt: always, where the run stops), writes while the folder's lock is
 * still this run's, keeps track of where the folder's checkpoint stands, and leaves no staged debris
 * behind a save that the disk refused.
 */
import type { TensorDict } from '../runtime/module.js';
import { UserError } from '../errors.js';
import { writeCheckpoint, type CheckpointContents } from './checkpoint.js';
import { recoverStaged } from './atomic-dir.js';
import { captureCarriedState } from './carried-state.js';
import type { CheckpointPolicy, SavePoint } from './session-checkpoint.js';
import type { EpochSummary, StepPoint } from './trainer.js';
import type { RunLock } from './run-lock.js';
import { describeWriteFailure, isStorageFailure } from './disk-errors.js';
import { HISTORY_DIR, snapshotCheckpoint } from './checkpoint-history.js';

/** Where a checkpoint stands: `epoch` whole epochs and `batch` batches into the next (step 0: none yet). */
export interface SavedAt { epoch: number; batch: number; step: number }

/** `epoch 3`, or `epoch 3 + 17 batches, step 523` for a mid-epoch checkpoint. */
export function describeSaved(s: SavedAt): string {
  return s.batch > 0 ? `epoch ${s.epoch} + ${s.batch} batch${s.batch === 1 ? '' : 'es'}, step ${s.step}` : `epoch ${s.epoch}`;
}

export class RunSaver {
  private dueAtEpochEnd = false;

  constructor(private readonly o: {
    outDir: string;
    policy: CheckpointPolicy;
    lock: RunLock | null;
    /** The checkpoint to write at a point (weights, optimizer, RNG as they are now). */
    contents: (at: SavePoint) => CheckpointContents;
    interrupted: () => boolean;
    /** train.keep_last: also keep the last N saves under history/ (1: none). */
    keepLast?: number;
  }, public saved: SavedAt) {}

  /** After a step: saves when the policy says so, or when an interrupt stops the run here. */
  async afterStep(p: StepPoint): Promise<void> {
    const interrupted = this.o.interrupted();
    if (interrupted ? this.saved.step === p.step : !this.o.policy.dueAfterStep(p.step)) return;
    if (!interrupted && p.batches > 0 && p.progress.batch >= p.batches) {
      this.dueAtEpochEnd = true; // the epoch ends right after this hook: save there, as an epoch checkpoint
      return;
    }
    const carried: TensorDict | null = p.carried === null ? null : captureCarriedState(p.carried);
    await this.save({ epoch: p.epoch - 1, step: p.step, progress: p.progress.batch > 0 ? p.progress : null, carried });
  }

  /** After an epoch (its summary already in the history the contents read). */
  async afterEpoch(s: EpochSummary, isLast: boolean): Promise<void> {
    const due = this.dueAtEpochEnd || this.o.policy.dueAtEpochEnd(s.epoch, isLast);
    this.dueAtEpochEnd = false;
    if (due) await this.save({ epoch: s.epoch, step: s.step, progress: null, carried: null });
  }

  async save(at: SavePoint): Promise<void> {
    const { outDir, lock } = this.o;
    if (lock && !lock.held()) {
      throw new UserError(`${outDir}/.lock is no longer this run's (removed or taken over by another process); not saving over it`,
        'make sure one trainer at a time uses this --out');
    }
    try {
      await this.o.policy.timed(() => writeCheckpoint(outDir, this.o.contents(at)));
    } catch (e) {
      if (!isStorageFailure(e)) throw e;
      // Nothing committed: drop the staged files (they hold the space). Committed but not renamed in: finish it.
      let finished = false;
      try {
        finished = recoverStaged(outDir) === 'rolled-forward';
      } catch {
        // The disk refuses that too; the journal is finished or discarded on the next save or resume.
      }
      if (finished) this.saved = { epoch: at.epoch, batch: at.progress?.batch ?? 0, step: at.step };
      throw describeWriteFailure(e, `cannot save a checkpoint in ${outDir}`);
    }
    this.saved = { epoch: at.epoch, batch: at.progress?.batch ?? 0, step: at.step };
    if ((this.o.keepLast ?? 1) > 1) {
      try {
        snapshotCheckpoint(outDir, at.step, this.o.keepLast!);
      } catch (e) {
        throw describeWriteFailure(e, `cannot keep a copy of the checkpoint in ${outDir}/${HISTORY_DIR}`);
      }
    }
  }

  /** For messages after a failure: where the user's work is. */
  kept(): string {
    return this.saved.step > 0
      ? `the last good checkpoint (${describeSaved(this.saved)}) in ${this.o.outDir} is intact`
      : `no checkpoint was written in ${this.o.outDir}`;
  }
}
