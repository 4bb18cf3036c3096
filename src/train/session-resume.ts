/**
 * `train --resume` and `--out` safety: what an existing checkpoint folder allows (refuse to clobber,
 * refuse a checkpoint of another spec or vocabulary, saying what differs), and the run state a
 * checkpoint restores (weights, optimizer, dropout RNG, and mid-epoch: the epoch's partial sums and a
 * language model's carried state).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Spec } from '../spec/types.js';
import type { AnyModule, LanguageModelModule } from '../runtime/module.js';
import type * as tf from '@tensorflow/tfjs';
import { specHash } from '../runtime/io/checkpoint.js';
import { UserError } from '../errors.js';
import { hasCheckpoint, readCheckpoint, CHECKPOINT_FILES, type CheckpointContents, type CheckpointVocabs } from './checkpoint.js';
import { restoreOptimizerState } from './optimizer-state.js';
import { restoreCarriedState } from './carried-state.js';
import { progressFromRecord, setModuleRng } from './session-checkpoint.js';
import type { TrainingData } from './session-data.js';
import type { TrainLoopOptions } from './trainer.js';
import { describeSpecDifferences } from './spec-diff.js';

export interface OutDirRequest {
  specPath: string;
  resume?: boolean;
  overwrite?: boolean;
  seed?: number;
}

/** Refuses to clobber a checkpoint by accident; returns the checkpoint to resume from, if any. */
export function prepareOutDir(outDir: string, spec: Spec, opts: OutDirRequest): CheckpointContents | null {
  if (fs.existsSync(outDir) && !fs.statSync(outDir).isDirectory()) {
    throw new UserError(`--out ${outDir} is a file; a checkpoint is a folder`, 'choose another --out');
  }
  if (opts.resume) {
    if (!hasCheckpoint(outDir)) {
      throw new UserError(`--resume: ${outDir} holds no checkpoint to resume`, 'train without --resume first (or point --out at the run)');
    }
    const ckpt = readCheckpoint(outDir, { optimizer: true });
    if (ckpt.specText !== spec.source) {
      const saved = path.join(outDir, CHECKPOINT_FILES.spec);
      throw new UserError(`--resume: ${opts.specPath} differs from the spec ${outDir} was trained with (${saved}; `
        + `spec hash ${specHash(spec.source).slice(0, 12)} vs ${specHash(ckpt.specText).slice(0, 12)}): ${describeSpecDifferences(ckpt.specText, spec.source)}`,
      `resume with ${saved}, or train into a new --out`);
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

/** The data must give the vocabularies the checkpoint was trained with; says which stream differs and how. */
export function checkSameVocab(ckpt: CheckpointContents, data: TrainingData, outDir: string): void {
  const streams = (v: CheckpointVocabs): [string, readonly string[]][] => v.task === 'seq2seq'
    ? [['source', v.source.tokens], ['target', v.target.tokens]] : [['tokens', v.tokens.tokens]];
  const saved = streams(ckpt.vocabs);
  const now = new Map(streams(data.vocabs));
  const vocabFile = path.join(outDir, CHECKPOINT_FILES.vocab);
  const hint = `resume with the data the run was trained on (${ckpt.meta.data.origin || 'see meta.json'}), or train into a new --out`;
  for (const [stream, a] of saved) {
    const b = now.get(stream);
    if (!b) throw new UserError(`--resume: ${vocabFile} has a "${stream}" vocabulary; the data gives none`, hint);
    if (a.length === b.length && a.every((t, i) => t === b[i])) continue;
    const at = a.findIndex((t, i) => t !== b[i]);
    const first = at < 0 || at >= b.length ? '' : `; first difference at id ${at}: ${JSON.stringify(a[at])} in the checkpoint, ${JSON.stringify(b[at])} from the data`;
    throw new UserError(`--resume: the data gives a different ${stream} vocabulary than ${vocabFile} `
      + `(${b.length} tokens from the data, ${a.length} in the checkpoint${first})`, hint);
  }
}

/** Loads a checkpoint's run state into fresh objects; returns where the loop starts (mid-epoch: resumeAt). */
export function restoreRun(a: {
  ckpt: CheckpointContents; module: AnyModule; optimizer: tf.Optimizer; spec: Spec; outDir: string; note: (line: string) => void;
}): Pick<TrainLoopOptions, 'startEpoch' | 'startStep' | 'resumeAt'> {
  const { ckpt, module, outDir } = a;
  module.importTensors(ckpt.weights);
  if (ckpt.optimizer) {
    restoreOptimizerState(a.optimizer, module.variables(), ckpt.optimizer, path.join(outDir, CHECKPOINT_FILES.optimizer));
  } else {
    a.note(`note: ${outDir} has no optimizer state; the optimizer starts afresh`);
  }
  if (!setModuleRng(module, ckpt.meta.module_rng) && hasDropout(a.spec)) {
    a.note('note: this module does not expose its dropout RNG; dropout masks after the resume differ from an uninterrupted run');
  }
  const progress = ckpt.meta.epoch_progress;
  if (!progress) return { startEpoch: ckpt.meta.epoch, startStep: ckpt.meta.step };
  let carried: unknown = null;
  if (a.spec.train.carry_state && module.task === 'language-model') {
    if (ckpt.carried) {
      carried = restoreCarriedState(module as LanguageModelModule, ckpt.carried, path.join(outDir, CHECKPOINT_FILES.carried));
    } else {
      a.note(`note: ${outDir} has no carried state; the language model's state restarts from zeros mid-epoch`);
    }
  }
  return { startEpoch: ckpt.meta.epoch, startStep: ckpt.meta.step, resumeAt: { progress: progressFromRecord(progress), carried } };
}

export function hasDropout(spec: Spec): boolean {
  return spec.nodes.some((n) => (n.op === 'recurrent' && n.dropout > 0 && n.layers > 1) || (n.op === 'dropout' && n.rate > 0));
}
