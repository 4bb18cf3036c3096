/**
 * `seqloom train SPEC --engine torch [--nproc N] [torchrun's multi-node flags]`: the spec's generated
 * PyTorch module trained under torchrun with DistributedDataParallel (python/seqloom_torch/train.py),
 * on prepared batches (`seqloom prepare`; raw data is prepared on the fly into a temporary folder),
 * from seqloom's own initialization (the TypeScript module's, for the same seed), with seqloom's
 * masked loss, clipping and Adam. Everything that lands on disk is written here, by the same code
 * as the tfjs engine's: the checkpoint folder (checkpoint.ts: model.safetensors with seqloom names,
 * vocab.json, spec.yaml, meta.json, optimizer.safetensors) and metrics.jsonl (metrics-log.ts: a
 * record per epoch, and per-step records on long epochs) — so
 * translate, eval, export, report and `train --resume` (with either engine) work on it unchanged.
 * Only the machine that runs global rank 0 (node 0, or wherever torchrun's rendezvous puts it)
 * receives the events, and only it writes; the others train their ranks and return.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AnyModule } from '../../runtime/module.js';
import { readSafetensors, writeSafetensors } from '../../runtime/node/index.js';
import { UserError } from '../../errors.js';
import { checkpointContents, CheckpointPolicy } from '../session-checkpoint.js';
import { describeSaved, takeLock, type SavedAt, type TrainOptions, type TrainOutcome } from '../session.js';
import { RunSaver } from '../run-saver.js';
import { HISTORY_DIR } from '../checkpoint-history.js';
import type { RunLock } from '../run-lock.js';
import { resumeCommand } from '../interrupt.js';
import type { OptimizerState } from '../optimizer-state.js';
import { checkSameVocab, hasDropout, prepareOutDir } from '../session-resume.js';
import { loadModuleForSpec, type LoadedSpecModule } from '../model-loader.js';
import { floatTensors, type EpochRecord } from '../checkpoint.js';
import { appendMetrics, StepRecorder, truncateMetricsAfter } from '../metrics-log.js';
import { loadTrainingData } from '../session-data.js';
import type { EpochSummary, TrainResult } from '../trainer.js';
import { describeShowcase } from '../show-examples.js';
import { resolveDecodeSettings } from '../search.js';
import { isPreparedDir } from '../prepared/read.js';
import { runPrepare } from '../prepared/prepare.js';
import { launchTraining, type Rendezvous } from './launch.js';
import { pytorchModuleFile } from './module-file.js';
import { optimizerStateFromTorch, optimizerStateToTorch } from './optimizer-bridge.js';
import { torchPython, type TorchPython } from './python.js';
import { EpochTally, type BatchEvent } from './tally.js';

export interface TorchTrainOptions extends TrainOptions {
  /** Processes on this machine (torchrun's --nproc_per_node). */
  nproc: number;
  rendezvous: Rendezvous;
  /** torch threads per process (default 1: measured fastest for these models, and safe on a busy machine). */
  threads?: number;
  /** auto (CUDA when present) | cpu | cuda. */
  device?: 'auto' | 'cpu' | 'cuda';
}

export async function runTorchTraining(opts: TorchTrainOptions): Promise<TrainOutcome> {
  const python = torchPython();                                      // before anything else: what to install
  // As the tfjs engine does: with --out given, the folder's lock comes first.
  let lock = opts.out === undefined ? null : takeLock(opts.out, opts);
  try {
    const loaded = await loadModuleForSpec(opts.specPath, opts.backend);
    const outDir = opts.out ?? path.join('runs', loaded.spec.name);
    lock ??= takeLock(outDir, opts);
    return await trainLocked(opts, python, loaded, outDir, lock);
  } finally {
    lock?.release();
  }
}

async function trainLocked(
  opts: TorchTrainOptions, python: TorchPython, { spec, ModuleClass }: LoadedSpecModule, outDir: string, lock: RunLock,
): Promise<TrainOutcome> {
  const resumeFrom = prepareOutDir(outDir, spec, opts);
  const resume = resumeCommand(opts.args ?? ['train', opts.specPath, '--engine', 'torch'], outDir);
  const seed = resumeFrom?.meta.seed ?? opts.seed ?? spec.train.seed;
  const epochs = opts.epochs ?? spec.train.epochs;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-torch-'));
  let module: AnyModule | null = null;
  try {
    let dataPath = opts.data ?? resumeFrom?.meta.data.path ?? undefined;
    const onTheFly = dataPath === undefined || !isPreparedDir(dataPath);
    if (onTheFly) {
      opts.reporter.note(`preparing ${epochs} epoch(s) of batches (as seqloom prepare does) in a temporary folder`);
      dataPath = (await runPrepare({ spec, data: dataPath, out: path.join(work, 'prepared'), epochs, seed, note: () => {} })).dir;
    }
    const loaded = loadTrainingData(spec, dataPath, seed);
    const folder = loaded.prepared!;
    // Prepared on the fly: name the raw data, not the temporary folder (messages, meta.json).
    const data = onTheFly ? { ...loaded, origin: folder.manifest.data.origin } : loaded;
    if (epochs > folder.manifest.epochs) {
      throw new UserError(`${dataPath} holds ${folder.manifest.epochs} epoch(s) of batches; --epochs ${epochs} needs more`, `prepare it again with --epochs ${epochs}`);
    }
    if (resumeFrom) checkSameVocab(resumeFrom, data, outDir);
    if (resumeFrom?.meta.epoch_progress) {
      throw new UserError(`${outDir} was saved in the middle of epoch ${resumeFrom.meta.epoch + 1}; the torch engine resumes from the end of an epoch`,
        'resume it with the tfjs engine (without --engine torch), which finishes the epoch; then --engine torch can continue');
    }
    module = new ModuleClass({ vocab: data.vocabSizes, seed });
    const live = module;
    if (resumeFrom) module.importTensors(resumeFrom.weights);
    const names = Object.keys(module.exportTensors());
    const init = path.join(work, 'init.safetensors');
    writeSafetensors(init, module.exportTensors());
    let initOptimizer: string | null = null;
    if (resumeFrom?.optimizer) {
      const state = optimizerStateToTorch(spec, names, resumeFrom.optimizer, path.join(outDir, 'optimizer.safetensors'));
      initOptimizer = path.join(work, 'init-optimizer.safetensors');
      writeSafetensors(initOptimizer, state.tensors, state.meta);
    }
    const startEpoch = resumeFrom?.meta.epoch ?? 0;
    const startStep = resumeFrom?.meta.step ?? 0;
    const start: SavedAt = { epoch: startEpoch, batch: 0, step: startStep };
    if (resumeFrom && startEpoch >= epochs) {
      opts.reporter.note(`${outDir} is already at epoch ${startEpoch} (--epochs ${epochs} is the total); nothing to train`);
      return { outDir, backend: `torch ${python.version}`, result: { epochs: [], step: startStep, seconds: 0, tokens: 0 }, savedEpoch: startEpoch, saved: start };
    }
    if (resumeFrom) {
      opts.reporter.note(`resuming ${outDir} at epoch ${startEpoch + 1} of ${epochs} (step ${startStep})`);
      if (hasDropout(spec)) opts.reporter.note('note: the torch engine draws its own dropout masks; after the resume they differ from an uninterrupted run');
    }
    const threads = opts.threads ?? 1;
    const config = path.join(work, 'config.json');
    fs.mkdirSync(path.join(work, 'staging'));
    fs.writeFileSync(config, JSON.stringify({
      module: await pytorchModuleFile(spec), vocab: data.vocabSizes, task: spec.task, prepared: path.resolve(folder.dir),
      shards: folder.manifest.shards.map((s) => ({ file: s.file, bytes: s.bytes })), vocab_sha256: folder.manifest.vocab_sha256,
      epochs, start_epoch: startEpoch, start_step: startStep, init_weights: init, init_optimizer: initOptimizer,
      optimizer: spec.train.optimizer, clip_norm: spec.train.clip_norm, carry_state: spec.train.carry_state, seed, threads,
      device: opts.device ?? 'auto', staging: path.join(work, 'staging'),
    }));

    const history: EpochRecord[] = [...(resumeFrom?.meta.history ?? [])];
    let seconds = history.reduce((sum, h) => sum + h.seconds, 0);
    const every = typeof opts.checkpointEvery === 'number' ? { unit: 'epochs' as const, n: opts.checkpointEvery } : opts.checkpointEvery ?? spec.train.checkpoint_every ?? undefined;
    if (every?.unit === 'steps') opts.reporter.note('note: the torch engine saves at the end of epochs; checkpoint_every in steps is taken as every epoch');
    let optimizerState: OptimizerState | null = null;        // the last epoch's, from the torch engine
    const saver = new RunSaver({
      outDir, lock, policy: new CheckpointPolicy(every?.unit === 'steps' ? undefined : every), interrupted: () => false,
      keepLast: opts.keepLast ?? spec.train.keep_last,
      contents: (at) => checkpointContents({ spec, module: live, data, seed, backend, at, history, optimizer: optimizerState!, moduleRng: null }),
    }, start);
    let backend = `torch ${python.version}`;
    const summaries: EpochSummary[] = [];
    const tally = new EpochTally(epochs);
    const stepRecords = new StepRecorder(outDir, spec.train.optimizer.lr);
    const started = performance.now();
    let writer = false;                                   // this machine runs global rank 0
    // Events are handled one after another (a checkpoint write is awaited before the next event).
    let chain: Promise<void> = Promise.resolve();
    const onEvent = (e: Record<string, unknown>): void => {
      chain = chain.then(async () => {
        switch (e['event']) {
          case 'start': {
            writer = true;
            truncateMetricsAfter(outDir, resumeFrom ? startStep : -Infinity); // a fresh run starts a fresh log,
            if (!resumeFrom) fs.rmSync(path.join(outDir, HISTORY_DIR), { recursive: true, force: true }); // and no older run's history
            const world = e['world_size'] as number;
            backend = `torch ${String(e['torch'])} on ${String(e['device'])}, ${world === 1 ? '1 process' : `${world} processes (DDP, ${String(e['backend'])})`}`;
            opts.reporter.note(`training ${spec.name} on ${data.origin} (${data.description}), engine ${backend}, `
              + `${String(e['threads'])} thread(s) per process, seed ${seed}`);
            return;
          }
          case 'epoch_start':
            tally.start(e['epoch'] as number, e['batches'] as number);
            opts.reporter.epochStart?.(e['epoch'] as number, epochs, e['batches'] as number);
            return;
          case 'batch':
            opts.reporter.batchEnd?.(tally.batch(e as unknown as BatchEvent));
            stepRecords.afterStep(tally.standing(e['step'] as number), seconds);
            return;
          case 'epoch_end': {
            const s = tally.end(e['seconds'] as number, e['step'] as number);
            summaries.push(s);
            opts.reporter.epochEnd?.(s, epochs);
            const weights = floatTensors(readSafetensors(e['weights'] as string).tensors, 'the torch engine\'s weights');
            const staged = readSafetensors(e['optimizer'] as string);
            fs.rmSync(e['weights'] as string, { force: true });
            fs.rmSync(e['optimizer'] as string, { force: true });
            live.importTensors(weights);
            history.push({ epoch: s.epoch, loss: s.loss, perplexity: s.perplexity, seconds: s.seconds, tokens_per_second: s.tokensPerSecond });
            seconds += s.seconds;
            appendMetrics(outDir, {
              kind: 'epoch', step: s.step, epoch: s.epoch, train_loss: s.loss, train_ppl: s.perplexity,
              tokens_per_second: s.tokensPerSecond, lr: spec.train.optimizer.lr, seconds,
            });
            optimizerState = optimizerStateFromTorch(spec, names, floatTensors(staged.tensors, 'the torch engine\'s optimizer state'), staged.metadata);
            await saver.afterEpoch(s, s.epoch === epochs);
            return;
          }
        }
      });
    };
    const run = launchTraining({ nproc: opts.nproc, rendezvous: opts.rendezvous, config, threads, onEvent });
    // A signal (the CLI's InterruptWatch) stops the processes; the last epoch's checkpoint is what stays.
    const watch = setInterval(() => { if (opts.interrupt?.signal) run.child.kill('SIGTERM'); }, 200);
    const result = (): TrainResult => ({
      epochs: summaries, step: summaries.at(-1)?.step ?? startStep, seconds: (performance.now() - started) / 1000,
      tokens: summaries.reduce((n, s) => n + s.tokens, 0),
    });
    try {
      await run.done;
      await chain;
    } catch (e) {
      await chain.catch(() => {});
      opts.reporter.stop();
      const signal = opts.interrupt?.signal ?? null;
      if (signal !== null) return { outDir, backend, result: result(), savedEpoch: saver.saved.epoch, saved: saver.saved, interrupted: { signal, resume } };
      if (e instanceof UserError) throw new UserError(`${e.message}; ${saver.kept()}`, e.hint);
      throw new UserError(`${(e as Error).message}\n${saver.kept()}`, `continue with: ${resume}`);
    } finally {
      clearInterval(watch);
    }
    const saved = saver.saved;
    if (!writer) {
      opts.reporter.note('this machine trained its ranks; the machine that ran rank 0 wrote the checkpoint');
      return { outDir, backend, result: result(), savedEpoch: saved.epoch, saved };
    }
    opts.reporter.summary(result(), `checkpoint: ${outDir} (${describeSaved(saved)})`);
    if ((opts.show ?? 0) > 0) {
      for (const line of describeShowcase(live, data.showcase, resolveDecodeSettings(spec.decode, {}), opts.show!)) opts.reporter.note(line);
    }
    return { outDir, backend, result: result(), savedEpoch: saved.epoch, saved };
  } finally {
    module?.dispose();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

