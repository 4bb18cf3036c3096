/**
 * `seqloom train` as one function: spec → generated module, data (or the built-in task), optional
 * resume from the checkpoint in the output folder, the training loop, and a checkpoint after epochs
 * (see CheckpointPolicy). Output goes through the injected reporter; nothing here exits the process.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Spec } from '../spec/types.js';
import type { AnyModule } from '../runtime/module.js';
import { createOptimizer } from '../runtime/nn/index.js';
import { UserError } from '../errors.js';
import { hasCheckpoint, readCheckpoint, writeCheckpoint, type CheckpointContents, type EpochRecord } from './checkpoint.js';
import { captureOptimizerState, restoreOptimizerState } from './optimizer-state.js';
import { DivergenceError, trainLoop, type EpochSummary, type TrainResult } from './trainer.js';
import type { ProgressReporter } from './progress.js';
import { loadTrainingData, type TrainingData } from './session-data.js';
import { CheckpointPolicy, checkpointContents, getModuleRng, setModuleRng } from './session-checkpoint.js';
import { loadModuleForSpec, type SpecModuleLoader } from './model-loader.js';
import { guardTrainingMemory } from '../guard/index.js';
import { describeShowcase } from './show-examples.js';
import { resolveDecodeSettings } from './search.js';
import { appendMetrics, truncateMetricsAfter } from './metrics-log.js';

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
  /** Save every N epochs (default: adaptive, see CheckpointPolicy). */
  checkpointEvery?: number;
  /** After training, decode this many held-out examples through the reporter (0 or absent: none). */
  show?: number;
  reporter: ProgressReporter;
  /** Spec → module class (tests inject hand-written modules; default: the code generator). */
  loadModule?: SpecModuleLoader;
}

export interface TrainOutcome {
  outDir: string;
  backend: string;
  result: TrainResult;
  /** Epoch of the last checkpoint written. */
  savedEpoch: number;
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
  try {
    let startEpoch = 0, startStep = 0;
    const history: EpochRecord[] = [];
    if (!resumeFrom) truncateMetricsAfter(outDir, -Infinity); // a fresh run starts a fresh log
    if (resumeFrom) {
      module.importTensors(resumeFrom.weights);
      if (resumeFrom.optimizer) {
        restoreOptimizerState(optimizer, module.variables(), resumeFrom.optimizer, path.join(outDir, 'optimizer.safetensors'));
      } else {
        opts.reporter.note(`note: ${outDir} has no optimizer state; the optimizer starts afresh`);
      }
      if (!setModuleRng(module, resumeFrom.meta.module_rng) && hasDropout(spec)) {
        opts.reporter.note('note: this module does not expose its dropout RNG; dropout masks after the resume differ from an uninterrupted run');
      }
      startEpoch = resumeFrom.meta.epoch;
      startStep = resumeFrom.meta.step;
      truncateMetricsAfter(outDir, startStep);
      history.push(...resumeFrom.meta.history);
      if (startEpoch >= epochs) {
        opts.reporter.note(`${outDir} is already at epoch ${startEpoch} (--epochs ${epochs} is the total); nothing to train`
          + ` — pass --epochs ${startEpoch + 1} or more to continue`);
        return { outDir, backend, result: { epochs: [], step: startStep, seconds: 0, tokens: 0 }, savedEpoch: startEpoch };
      }
      opts.reporter.note(`resuming ${outDir} at epoch ${startEpoch + 1} of ${epochs} (step ${startStep})`);
    }
    opts.reporter.note(`training ${spec.name} on ${data.origin} (${data.description}), backend ${backend}, seed ${seed}`);

    const policy = new CheckpointPolicy(opts.checkpointEvery);
    let savedEpoch = resumeFrom?.meta.epoch ?? 0;
    let seconds = history.reduce((sum, h) => sum + h.seconds, 0);
    const save = async (s: EpochSummary) => {
      history.push({ epoch: s.epoch, loss: s.loss, perplexity: s.perplexity, seconds: s.seconds, tokens_per_second: s.tokensPerSecond });
      seconds += s.seconds;
      appendMetrics(outDir, {
        kind: 'epoch', step: s.step, epoch: s.epoch, train_loss: s.loss, train_ppl: s.perplexity,
        tokens_per_second: s.tokensPerSecond, lr: spec.train.optimizer.lr, seconds,
      });
      if (!policy.due(s.epoch, s.epoch === epochs)) return;
      await policy.timed(() => writeCheckpoint(outDir, checkpointContents({
        spec, module, data, seed, backend, epoch: s.epoch, step: s.step, history,
        optimizer: captureOptimizerState(optimizer, module.variables()), moduleRng: getModuleRng(module),
      })));
      savedEpoch = s.epoch;
    };
    let result: TrainResult;
    try {
      result = await trainLoop({
        module, optimizer, clipNorm: spec.train.clip_norm, data: data.epochs, startEpoch, epochs, startStep,
        carryState: spec.train.carry_state, observer: opts.reporter, afterEpoch: save,
      });
    } catch (e) {
      opts.reporter.stop();
      if (e instanceof DivergenceError) {
        const kept = savedEpoch > 0
          ? `the last good checkpoint (epoch ${savedEpoch}) in ${outDir} is intact`
          : 'no checkpoint was written';
        throw new UserError(`${e.message}; ${kept}`, e.hint);
      }
      throw e;
    }
    opts.reporter.summary(result, `checkpoint: ${outDir} (epoch ${savedEpoch})`);
    if ((opts.show ?? 0) > 0) {
      const lines = describeShowcase(module, data.showcase, resolveDecodeSettings(spec.decode, {}), opts.show!);
      for (const line of lines) opts.reporter.note(line);
    }
    return { outDir, backend, result, savedEpoch };
  } finally {
    optimizer.dispose();
    module.dispose();
  }
}

/** Refuses to clobber a checkpoint by accident; returns the checkpoint to resume from, if any. */
function prepareOutDir(outDir: string, spec: Spec, opts: TrainOptions): CheckpointContents | null {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) {
    throw new UserError(`--out ${outDir} is a file; a checkpoint is a folder`, 'choose another --out');
  }
  if (opts.resume) {
    if (!hasCheckpoint(outDir)) {
      throw new UserError(`--resume: ${outDir} holds no checkpoint to resume`, 'train without --resume first (or point --out at the run)');
    }
    const ckpt = readCheckpoint(outDir, { optimizer: true });
    if (ckpt.specText !== spec.source) {
      throw new UserError(`--resume: ${opts.specPath} differs from the spec ${outDir} was trained with (${outDir}/spec.yaml)`,
        `resume with ${path.join(outDir, 'spec.yaml')}, or train into a new --out`);
    }
    if (opts.seed !== undefined && opts.seed !== ckpt.meta.seed) {
      throw new UserError(`--resume: --seed ${opts.seed} differs from the checkpoint's seed ${ckpt.meta.seed}`, 'drop --seed when resuming');
    }
    return ckpt;
  }
  if (hasCheckpoint(outDir) && !opts.overwrite) {
    throw new UserError(`${outDir} already holds a checkpoint`,
      'pass --resume to continue it, --overwrite to start over, or choose another --out');
  }
  return null;
}

function checkSameVocab(ckpt: CheckpointContents, data: TrainingData, outDir: string): void {
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);
  const pairs = ckpt.vocabs.task === 'seq2seq' && data.vocabs.task === 'seq2seq'
    ? [[ckpt.vocabs.source, data.vocabs.source], [ckpt.vocabs.target, data.vocabs.target]]
    : ckpt.vocabs.task === 'language-model' && data.vocabs.task === 'language-model'
      ? [[ckpt.vocabs.tokens, data.vocabs.tokens]] : null;
  if (!pairs || !pairs.every(([a, b]) => same(a!.tokens, b!.tokens))) {
    throw new UserError(`--resume: the data gives a different vocabulary than ${outDir}/vocab.json`,
      'resume with the data the run was trained on');
  }
}

function hasDropout(spec: Spec): boolean {
  return spec.nodes.some((n) => (n.op === 'recurrent' && n.dropout > 0 && n.layers > 1) || (n.op === 'dropout' && n.rate > 0));
}
