/**
 * `seqloom train` as one function: spec → generated module, data (or the built-in task), optional
 * resume from the checkpoint in the output folder (at an epoch's end or mid-epoch), the training
 * loop, and checkpoints after epochs and steps (see CheckpointPolicy). Output goes through the
 * injected reporter; nothing here exits the process.
 */
import path from 'node:path';
import type { CheckpointEvery } from '../spec/types.js';
import type { AnyModule } from '../runtime/module.js';
import { createOptimizer } from '../runtime/nn/index.js';
import { UserError } from '../errors.js';
import { writeCheckpoint, type EpochRecord } from './checkpoint.js';
import { captureOptimizerState } from './optimizer-state.js';
import { DivergenceError, trainLoop, type EpochSummary, type StepPoint, type TrainLoopOptions, type TrainResult } from './trainer.js';
import type { ProgressReporter } from './progress.js';
import { loadTrainingData } from './session-data.js';
import { CheckpointPolicy, checkpointContents, getModuleRng, type SavePoint } from './session-checkpoint.js';
import { checkSameVocab, prepareOutDir, restoreRun } from './session-resume.js';
import { captureCarriedState } from './carried-state.js';
import { loadModuleForSpec, type SpecModuleLoader } from './model-loader.js';
import { guardTrainingMemory } from '../guard/index.js';
import { describeShowcase } from './show-examples.js';
import { resolveDecodeSettings } from './search.js';
import { appendMetrics, StepRecorder, truncateMetricsAfter } from './metrics-log.js';

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
  /** After training, decode this many held-out examples through the reporter (0 or absent: none). */
  show?: number;
  reporter: ProgressReporter;
  /** Spec → module class (tests inject hand-written modules; default: the code generator). */
  loadModule?: SpecModuleLoader;
}

/** Where the last checkpoint written stands: `epoch` whole epochs, and `batch` batches into the next. */
export interface SavedAt { epoch: number; batch: number; step: number }

export interface TrainOutcome {
  outDir: string;
  backend: string;
  result: TrainResult;
  /** Epoch of the last checkpoint written. */
  savedEpoch: number;
  saved: SavedAt;
}

/** `epoch 3` or `epoch 3 + 17 batches`: where a checkpoint stands, for messages. */
export function describeSaved(s: SavedAt): string {
  return s.batch > 0 ? `epoch ${s.epoch} + ${s.batch} batch${s.batch === 1 ? '' : 'es'}, step ${s.step}` : `epoch ${s.epoch}`;
}

export async function runTraining(opts: TrainOptions): Promise<TrainOutcome> {
  const { spec, ModuleClass, backend } = await (opts.loadModule ?? loadModuleForSpec)(opts.specPath, opts.backend);
  const outDir = opts.out ?? path.join('runs', spec.name);
  const resumeFrom = prepareOutDir(outDir, spec, opts);
  const seed = resumeFrom?.meta.seed ?? opts.seed ?? spec.train.seed;
  const epochs = opts.epochs ?? spec.train.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new UserError(`--epochs must be a positive integer, got ${epochs}`);

  const data = loadTrainingData(spec, opts.data ?? resumeFrom?.meta.data.path ?? undefined, seed);
  for (const w of data.warnings) opts.reporter.note(w);
  if (resumeFrom) checkSameVocab(resumeFrom, data, outDir);
  guardTrainingMemory(spec, data.vocabSizes, backend); // before any tensor: refuse a model that cannot fit

  const module: AnyModule = new ModuleClass({ vocab: data.vocabSizes, seed });
  const optimizer = createOptimizer(spec.train.optimizer);
  let resumeCarried: unknown = null;
  try {
    let start: Pick<TrainLoopOptions, 'startEpoch' | 'startStep' | 'resumeAt'> = { startEpoch: 0, startStep: 0 };
    const history: EpochRecord[] = [];
    if (!resumeFrom) truncateMetricsAfter(outDir, -Infinity); // a fresh run starts a fresh log
    let saved: SavedAt = { epoch: 0, batch: 0, step: 0 };
    if (resumeFrom) {
      start = restoreRun({ ckpt: resumeFrom, module, optimizer, spec, outDir, note: (l) => opts.reporter.note(l) });
      resumeCarried = start.resumeAt?.carried ?? null;
      saved = { epoch: start.startEpoch, batch: start.resumeAt?.progress.batch ?? 0, step: start.startStep };
      truncateMetricsAfter(outDir, start.startStep);
      history.push(...resumeFrom.meta.history);
      if (start.startEpoch + (saved.batch > 0 ? 1 : 0) > epochs || (saved.batch === 0 && start.startEpoch >= epochs)) {
        opts.reporter.note(`${outDir} is already at ${describeSaved(saved)} (--epochs ${epochs} is the total); nothing to train`
          + ` — pass --epochs ${start.startEpoch + 1} or more to continue`);
        return { outDir, backend, result: { epochs: [], step: start.startStep, seconds: 0, tokens: 0 }, savedEpoch: saved.epoch, saved };
      }
      const within = saved.batch > 0 ? `, batch ${saved.batch + 1}` : '';
      opts.reporter.note(`resuming ${outDir} at epoch ${start.startEpoch + 1}${within} of ${epochs} (step ${start.startStep})`);
    }
    opts.reporter.note(`training ${spec.name} on ${data.origin} (${data.description}), backend ${backend}, seed ${seed}`);

    const every = typeof opts.checkpointEvery === 'number' ? { unit: 'epochs' as const, n: opts.checkpointEvery } : opts.checkpointEvery ?? spec.train.checkpoint_every ?? undefined;
    const policy = new CheckpointPolicy(every);
    let seconds = history.reduce((sum, h) => sum + h.seconds, 0);
    const saveAt = async (at: SavePoint) => {
      await policy.timed(() => writeCheckpoint(outDir, checkpointContents({
        spec, module, data, seed, backend, at, history,
        optimizer: captureOptimizerState(optimizer, module.variables()), moduleRng: getModuleRng(module),
      })));
      saved = { epoch: at.epoch, batch: at.progress?.batch ?? 0, step: at.step };
    };
    let dueAtEpochEnd = false;
    const stepRecords = new StepRecorder(outDir, spec.train.optimizer.lr);
    const afterStep = async (p: StepPoint) => {
      stepRecords.afterStep(p, seconds);
      if (!policy.dueAfterStep(p.step)) return;
      if (p.batches > 0 && p.progress.batch >= p.batches) {
        dueAtEpochEnd = true; // the epoch's end is one step away in the same hook chain: save there
        return;
      }
      await saveAt({ epoch: p.epoch - 1, step: p.step, progress: p.progress, carried: p.carried === null ? null : captureCarriedState(p.carried) });
    };
    const afterEpoch = async (s: EpochSummary) => {
      history.push({ epoch: s.epoch, loss: s.loss, perplexity: s.perplexity, seconds: s.seconds, tokens_per_second: s.tokensPerSecond });
      seconds += s.seconds;
      appendMetrics(outDir, {
        kind: 'epoch', step: s.step, epoch: s.epoch, train_loss: s.loss, train_ppl: s.perplexity,
        tokens_per_second: s.tokensPerSecond, lr: spec.train.optimizer.lr, seconds,
      });
      const due = dueAtEpochEnd || policy.dueAtEpochEnd(s.epoch, s.epoch === epochs);
      dueAtEpochEnd = false;
      if (due) await saveAt({ epoch: s.epoch, step: s.step, progress: null, carried: null });
    };
    let result: TrainResult;
    try {
      resumeCarried = null; // the loop owns it from here
      result = await trainLoop({
        module, optimizer, clipNorm: spec.train.clip_norm, data: data.epochs, epochs, ...start,
        carryState: spec.train.carry_state, observer: opts.reporter, afterEpoch, afterStep,
      });
    } catch (e) {
      opts.reporter.stop();
      if (e instanceof DivergenceError) {
        const kept = saved.step > 0
          ? `the last good checkpoint (${describeSaved(saved)}) in ${outDir} is intact`
          : 'no checkpoint was written';
        throw new UserError(`${e.message}; ${kept}`, e.hint);
      }
      throw e;
    }
    opts.reporter.summary(result, `checkpoint: ${outDir} (${describeSaved(saved)})`);
    if ((opts.show ?? 0) > 0) {
      const lines = describeShowcase(module, data.showcase, resolveDecodeSettings(spec.decode, {}), opts.show!);
      for (const line of lines) opts.reporter.note(line);
    }
    return { outDir, backend, result, savedEpoch: saved.epoch, saved };
  } finally {
    if (resumeCarried !== null && module.task === 'language-model') module.disposeState(resumeCarried);
    optimizer.dispose();
    module.dispose();
  }
}
