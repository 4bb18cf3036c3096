/**
 * `seqloom train` as one function: spec → generated module, data (or the built-in task), optional
 * resume from the checkpoint in the output folder (at an epoch's end or mid-epoch), the training
 * loop, and checkpoints after epochs and steps (see CheckpointPolicy). It holds the folder's lock
 * (run-lock.ts) throughout, stops at a step boundary with a checkpoint when `interrupt` reports a
 * signal, and turns a full disk into one line naming the last good checkpoint. Output goes through
 * the injected reporter; nothing here exits the process.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CheckpointEvery } from '../spec/types.js';
import type { AnyModule } from '../runtime/module.js';
import { createOptimizer } from '../runtime/nn/index.js';
import { UserError } from '../errors.js';
import type { EpochRecord } from './checkpoint.js';
import { captureOptimizerState } from './optimizer-state.js';
import { DivergenceError, trainLoop, type EpochSummary, type TrainLoopOptions, type TrainResult } from './trainer.js';
import type { ProgressReporter } from './progress.js';
import { loadTrainingData, loadValidationFile } from './session-data.js';
import { CheckpointPolicy, checkpointContents, getModuleRng, type SavePoint } from './session-checkpoint.js';
import { writeCheckpoint } from './checkpoint.js';
import { captureCarriedState } from './carried-state.js';
import { checkSameVocab, prepareOutDir, restoreRun } from './session-resume.js';
import { loadModuleForSpec, type SpecModuleLoader } from './model-loader.js';
import { guardTrainingMemory } from '../guard/index.js';
import { describeShowcase } from './show-examples.js';
import { resolveDecodeSettings } from './search.js';
import { appendMetrics, StepRecorder, truncateMetricsAfter } from './metrics-log.js';
import { RunLock } from './run-lock.js';
import { resumeCommand, type StopSignal } from './interrupt.js';
import { describeWriteFailure, isStorageFailure } from './disk-errors.js';
import { RunSaver, describeSaved, type SavedAt } from './run-saver.js';
import { HISTORY_DIR } from './checkpoint-history.js';
import { describeBackend } from '../runtime/backend/products.js';
import { SessionValidation, requireValidationData } from './session-validation.js';
import { Steering, freshSteering } from './steering.js';
import { describeValidationSet } from './validation.js';

/** `train.keep_best` writes the best checkpoint here, inside the checkpoint folder. */
export const BEST_DIR = 'best';

export interface TrainOptions {
  specPath: string;
  data?: string;
  /** Total epochs to reach (default: the spec's train.epochs). */
  epochs?: number;
  out?: string;
  seed?: number;
  backend?: string;
  resume?: boolean;
  /** Replace an existing checkpoint in the output folder instead of refusing. */
  overwrite?: boolean;
  /** How often to save (a number: every N epochs); default: the spec's train.checkpoint_every, else adaptive (CheckpointPolicy). */
  checkpointEvery?: number | CheckpointEvery;
  /** Keep the last N checkpoints under history/ (default: the spec's train.keep_last). */
  keepLast?: number;
  /** After training, decode this many held-out examples through the reporter (0 or absent: none). */
  show?: number;
  /** Validation data file (`--valid`), encoded with the training vocabularies. */
  valid?: string;
  /** Stop training (saving first) after this many minutes of wall time (`--max-time`). */
  maxMinutes?: number;
  reporter: ProgressReporter;
  /** Spec → module class (tests inject hand-written modules; default: the code generator). */
  loadModule?: SpecModuleLoader;
  /** Asked after every step: a signal stops training there, with a checkpoint (InterruptWatch). */
  interrupt?: { readonly signal: StopSignal | null };
  /** The `train` arguments as typed (after the program name), for the exact `--resume` command in messages. */
  args?: readonly string[];
}

export { describeSaved, type SavedAt };

export interface TrainOutcome {
  outDir: string;
  backend: string;
  result: TrainResult;
  /** Epoch of the last checkpoint written. */
  savedEpoch: number;
  /** Where the folder's checkpoint stands at the end (step 0: none). */
  saved: SavedAt;
  /** Set when a signal stopped training: which, and the command that continues the run. */
  interrupted?: { signal: StopSignal; resume: string };
}

export async function runTraining(opts: TrainOptions): Promise<TrainOutcome> {
  // With --out given, the lock comes first: a second trainer is refused before any compiling.
  let lock = opts.out === undefined ? null : takeLock(opts.out, opts);
  try {
    const loaded = await (opts.loadModule ?? loadModuleForSpec)(opts.specPath, opts.backend);
    const outDir = opts.out ?? path.join('runs', loaded.spec.name);
    lock ??= takeLock(outDir, opts);
    return await trainLocked(opts, loaded, outDir, lock);
  } finally {
    lock?.release();
  }
}

export function takeLock(outDir: string, opts: TrainOptions): RunLock {
  const command = ['seqloom', ...(opts.args ?? ['train', opts.specPath])].join(' ');
  return RunLock.acquire(outDir, command, (holder) => opts.reporter.note(
    `note: ${outDir} was locked by ${holder ? `pid ${holder.pid}, which is no longer running` : 'a process that died while locking it'}; lock taken over`));
}

async function trainLocked(
  opts: TrainOptions, { spec, ModuleClass, backend }: Awaited<ReturnType<SpecModuleLoader>>, outDir: string, lock: RunLock,
): Promise<TrainOutcome> {
  const resumeFrom = prepareOutDir(outDir, spec, opts);
  const resume = resumeCommand(opts.args ?? ['train', opts.specPath], outDir);
  const seed = resumeFrom?.meta.seed ?? opts.seed ?? spec.train.seed;
  const epochs = opts.epochs ?? spec.train.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new UserError(`--epochs must be a positive integer, got ${epochs}`);

  const data = loadTrainingData(spec, opts.data ?? resumeFrom?.meta.data.path ?? undefined, seed);
  for (const w of data.warnings) opts.reporter.note(w);
  if (data.maxEpochs !== undefined && epochs > data.maxEpochs) {
    throw new UserError(`${data.origin} holds ${data.maxEpochs} epoch(s) of batches; --epochs ${epochs} needs more`,
      `prepare it again with --epochs ${epochs}`);
  }
  if (resumeFrom) checkSameVocab(resumeFrom, data, outDir);
  const validPath = opts.valid !== undefined ? path.resolve(opts.valid) : resumeFrom?.meta.valid_path ?? null;
  const validFile = validPath !== null ? loadValidationFile(spec, data, validPath) : null;
  for (const w of validFile?.warnings ?? []) opts.reporter.note(w);
  const validSet = validFile?.set ?? data.heldOut;
  requireValidationData(spec, validSet !== null);
  guardTrainingMemory(spec, data.vocabSizes, backend); // before any tensor: refuse a model that cannot fit

  const module: AnyModule = new ModuleClass({ vocab: data.vocabSizes, seed });
  const optimizer = createOptimizer(spec.train.optimizer);
  let resumeCarried: unknown = null;
  const interrupted = () => (opts.interrupt?.signal ?? null) !== null;
  try {
    let start: Pick<TrainLoopOptions, 'startEpoch' | 'startStep' | 'resumeAt'> = { startEpoch: 0, startStep: 0 };
    const history: EpochRecord[] = [];
    let saved: SavedAt = { epoch: 0, batch: 0, step: 0 };
    if (resumeFrom) {
      start = restoreRun({ ckpt: resumeFrom, module, optimizer, spec, outDir, note: (l) => opts.reporter.note(l) });
      resumeCarried = start.resumeAt?.carried ?? null;
      saved = { epoch: start.startEpoch, batch: start.resumeAt?.progress.batch ?? 0, step: start.startStep };
      history.push(...resumeFrom.meta.history);
      if (start.startEpoch + (saved.batch > 0 ? 1 : 0) > epochs || (saved.batch === 0 && start.startEpoch >= epochs)) {
        opts.reporter.note(`${outDir} is already at ${describeSaved(saved)} (--epochs ${epochs} is the total); nothing to train`
          + ` — pass --epochs ${start.startEpoch + 1} or more to continue`);
        return { outDir, backend, result: { epochs: [], step: start.startStep, seconds: 0, tokens: 0 }, savedEpoch: saved.epoch, saved };
      }
    }
    if (interrupted()) return stoppedEarly(opts, outDir, backend, saved, resume);
    writeOrExplain(() => {
      truncateMetricsAfter(outDir, resumeFrom ? start.startStep : -Infinity); // a fresh run: a fresh log,
      if (!resumeFrom) fs.rmSync(path.join(outDir, HISTORY_DIR), { recursive: true, force: true }); // and no older run's history
    }, outDir, saved, resume);
    if (resumeFrom) {
      const within = saved.batch > 0 ? `, batch ${saved.batch + 1}` : '';
      opts.reporter.note(`resuming ${outDir} at epoch ${start.startEpoch + 1}${within} of ${epochs} (step ${start.startStep})`);
    }
    opts.reporter.note(`training ${spec.name} on ${data.origin} (${data.description}), backend ${describeBackend(backend)}, seed ${seed}`);

    const every = typeof opts.checkpointEvery === 'number' ? { unit: 'epochs' as const, n: opts.checkpointEvery } : opts.checkpointEvery ?? spec.train.checkpoint_every ?? undefined;
    const steering = new Steering(spec.train, spec.train.optimizer.lr, resumeFrom?.meta.steering ?? freshSteering());
    const stopping = () => interrupted() || steer.stop; // a signal, early stopping or the wall budget
    const saver = new RunSaver({
      outDir, lock, policy: new CheckpointPolicy(every), interrupted: stopping, keepLast: opts.keepLast ?? spec.train.keep_last,
      contents: (at) => contentsAt(at),
    }, saved);
    const contentsAt = (at: SavePoint) => checkpointContents({
      spec, module, data, seed, backend, at, history, steering: steering.state, validPath,
      optimizer: captureOptimizerState(optimizer, module.variables()), moduleRng: getModuleRng(module),
    });
    let seconds = history.reduce((sum, h) => sum + h.seconds, 0);
    const stepRecords = new StepRecorder(outDir, (step) => steering.lrAt(step));
    const steer = new SessionValidation({
      spec, module, optimizer, set: validSet, steering, settings: resolveDecodeSettings(spec.decode, {}), reporter: opts.reporter,
      recorder: stepRecords, secondsDone: () => seconds, maxSeconds: opts.maxMinutes === undefined ? null : opts.maxMinutes * 60,
      saveBest: (b) => writeCheckpoint(path.join(outDir, BEST_DIR), contentsAt(b.point
        ? { epoch: b.point.epoch - 1, step: b.step, progress: b.point.progress, carried: b.point.carried === null ? null : captureCarriedState(b.point.carried) }
        : { epoch: b.epoch, step: b.step, progress: null, carried: null })),
    });
    if (validSet) {
      const every = spec.train.validate_every ?? 'epoch';
      opts.reporter.note(`validating on ${describeValidationSet(validSet)} ${every === 'epoch' ? 'after every epoch' : every === 'none' ? 'never' : `every ${every} steps`}`);
    }
    steer.applyLr(start.startStep);
    const afterEpoch = async (s: EpochSummary) => {
      history.push({ epoch: s.epoch, loss: s.loss, perplexity: s.perplexity, seconds: s.seconds, tokens_per_second: s.tokensPerSecond });
      seconds += s.seconds;
      const validated = await steer.atEpochEnd(s);
      appendMetrics(outDir, {
        kind: 'epoch', step: s.step, epoch: s.epoch, train_loss: s.loss, train_ppl: s.perplexity,
        tokens_per_second: s.tokensPerSecond, lr: spec.train.optimizer.lr, seconds, padding_fraction: s.paddingFraction, ...validated,
      });
      await saver.afterEpoch(s, s.epoch === epochs || steer.stop);
    };
    let result: TrainResult;
    try {
      resumeCarried = null; // the loop owns it from here
      result = await trainLoop({
        module, optimizer, clipNorm: spec.train.clip_norm, data: data.epochs, epochs, ...start,
        carryState: spec.train.carry_state, observer: opts.reporter, afterEpoch,
        afterStep: async (p) => { await steer.afterStep(p); stepRecords.afterStep(p, seconds); return saver.afterStep(p); },
        shouldStop: stopping,
      });
    } catch (e) {
      opts.reporter.stop();
      if (e instanceof DivergenceError) throw new UserError(`${e.message}; ${saver.kept()}`, e.hint);
      throw storageStop(e, outDir, saver.kept(), resume);
    }
    if (result.stopped && interrupted()) {
      return { outDir, backend, result, savedEpoch: saver.saved.epoch, saved: saver.saved, interrupted: { signal: opts.interrupt!.signal!, resume } };
    }
    if (steer.stopReason !== null) opts.reporter.note(`stopped at step ${result.step}: ${steer.stopReason}`);
    const best = spec.train.keep_best ? steering.state.best[spec.train.keep_best] : undefined;
    const bestNote = best ? `; best ${spec.train.keep_best} ${best.value.toFixed(spec.train.keep_best === 'bleu' ? 2 : 4)} at step ${best.step}: ${path.join(outDir, BEST_DIR)}` : '';
    opts.reporter.summary(result, `checkpoint: ${outDir} (${describeSaved(saver.saved)})${bestNote}`);
    if ((opts.show ?? 0) > 0) {
      const lines = describeShowcase(module, data.showcase, resolveDecodeSettings(spec.decode, {}), opts.show!);
      for (const line of lines) opts.reporter.note(line);
    }
    return { outDir, backend, result, savedEpoch: saver.saved.epoch, saved: saver.saved };
  } finally {
    if (resumeCarried !== null && module.task === 'language-model') module.disposeState(resumeCarried);
    optimizer.dispose();
    module.dispose();
  }
}

/** A signal came before the first step: nothing new to save. */
function stoppedEarly(opts: TrainOptions, outDir: string, backend: string, saved: SavedAt, resume: string): TrainOutcome {
  const result: TrainResult = { epochs: [], step: saved.step, seconds: 0, tokens: 0, stopped: { epoch: saved.epoch + 1, batch: saved.batch, step: saved.step } };
  return { outDir, backend, result, savedEpoch: saved.epoch, saved, interrupted: { signal: opts.interrupt!.signal!, resume } };
}

/** A full disk (or quota, or I/O error) while training: one line naming where the work is. */
function storageStop(e: unknown, outDir: string, kept: string, resume: string): unknown {
  if (!isStorageFailure(e)) return e;
  const described = describeWriteFailure(e, `cannot write in ${outDir}`) as UserError;
  return new UserError(`${described.message}; ${kept}`, `free some space there (or move the folder), then continue with: ${resume}`);
}

function writeOrExplain(write: () => void, outDir: string, saved: SavedAt, resume: string): void {
  try {
    write();
  } catch (e) {
    const kept = saved.step > 0 ? `the checkpoint (${describeSaved(saved)}) in ${outDir} is intact` : `nothing was written in ${outDir}`;
    throw storageStop(e, outDir, kept, resume);
  }
}
