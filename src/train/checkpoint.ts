/**
 * Training checkpoints (the CLI contract's folder): `model.safetensors`, `vocab.json`, `spec.yaml`,
 * `meta.json` as runtime/io's saveCheckpoint writes them (sha256 of every file in meta.json), plus
 * `optimizer.safetensors` (optimizer slots, for exact `--resume`) and, in a mid-epoch checkpoint of
 * a language model with carry_state, `carried_state.safetensors`. writeCheckpointFiles writes into a
 * staging folder and atomic-dir.ts commits the whole set, so a crash at any moment leaves the
 * previous checkpoint whole — never a folder without meta.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TaskKind } from '../spec/types.js';
import type { TensorDict } from '../runtime/module.js';
import type { Vocab } from '../runtime/text/vocab.js';
import { loadCheckpoint, writeCheckpointFiles, CHECKPOINT_FILES as IO_FILES } from '../runtime/io/checkpoint.js';
import { parseSafetensors, serializeSafetensors } from '../runtime/io/safetensors.js';
import { checkpointVocabs, floatTensors, type CheckpointVocabs } from '../runtime/io/checkpoint-bytes.js';
import { UserError } from '../errors.js';
import { recoverStaged, replaceFilesAtomically } from './atomic-dir.js';
import type { OptimizerState } from './optimizer-state.js';
import { steeringFromMeta, type SteeringState } from './steering.js';
import { CARRIED_STATE_FILE } from './carried-state.js';

export const CHECKPOINT_FILES = { ...IO_FILES, optimizer: 'optimizer.safetensors', carried: CARRIED_STATE_FILE } as const;

export { floatTensors, type CheckpointVocabs };

export interface EpochRecord { epoch: number; loss: number; perplexity: number; seconds: number; tokens_per_second: number }

/** How far a mid-epoch checkpoint is into epoch `epoch + 1`: the trainer's partial sums (EpochProgress). */
export interface EpochProgressRecord { batch: number; loss_sum: number; tokens: number; grad_norm_sum: number; seconds: number }

/** What the trainer keeps in meta.json (beside runtime/io's format, version, spec_hash, files). */
export interface TrainingMeta {
  spec_name: string;
  task: TaskKind;
  seed: number;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  /** A mid-epoch checkpoint: how far into epoch `epoch + 1` (null: saved at an epoch's end). */
  epoch_progress: EpochProgressRecord | null;
  /** The last epoch's figures (empty before any epoch). */
  metrics: { loss?: number; perplexity?: number; tokens_per_second?: number };
  history: EpochRecord[];
  /** The training data: an absolute file path, or null for the built-in task. */
  data: { path: string | null; origin: string };
  /** The module's dropout RNG state when it exposes one (exact resume), else null. */
  module_rng: number[] | null;
  backend: string;
  /** Validation: best values so far, early-stopping and plateau counters, the lr factor (steering.ts). */
  steering?: SteeringState;
  /** `train --valid FILE`: the validation file (absolute), so a resume validates on it again. */
  valid_path?: string | null;
}

export interface CheckpointContents {
  meta: TrainingMeta;
  weights: TensorDict;
  optimizer: OptimizerState | null;
  /** A language model's carried state at a mid-epoch checkpoint (carry_state), else null. */
  carried: TensorDict | null;
  vocabs: CheckpointVocabs;
  specText: string;
}

function vocabRecord(v: CheckpointVocabs): Record<string, Vocab> {
  return v.task === 'seq2seq' ? { source: v.source, target: v.target } : { tokens: v.tokens };
}

export async function writeCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  await replaceFilesAtomically(dir, (staging) => {
    writeCheckpointFiles(staging, {
      tensors: c.weights,
      vocab: vocabRecord(c.vocabs),
      specText: c.specText,
      meta: { ...c.meta, metrics: c.meta.metrics as Record<string, number> },
      tensorMetadata: { spec_name: c.meta.spec_name },
      extraFiles: {
        ...(c.optimizer ? { [CHECKPOINT_FILES.optimizer]: serializeSafetensors(c.optimizer.tensors, c.optimizer.meta) } : {}),
        ...(c.carried ? { [CHECKPOINT_FILES.carried]: serializeSafetensors(c.carried) } : {}),
      },
    });
  });
  // The committed meta.json no longer names an earlier save's carried state: remove the stale file.
  if (!c.carried) fs.rmSync(path.join(dir, CHECKPOINT_FILES.carried), { force: true });
}

/** True when `dir` holds a committed checkpoint (or an interrupted commit that can be finished). */
export function hasCheckpoint(dir: string): boolean {
  try {
    recoverStaged(dir);
  } catch {
    // A read-only folder cannot be repaired; whatever is committed still counts.
  }
  return fs.existsSync(path.join(dir, CHECKPOINT_FILES.meta));
}

function checkTrainingMeta(m: Record<string, unknown>, file: string): TrainingMeta {
  const bad = (what: string) => new UserError(`${file}: ${what}`, 'was this checkpoint written by `seqloom train`?');
  if (m.task !== 'seq2seq' && m.task !== 'language-model') throw bad(`task must be seq2seq or language-model, got ${JSON.stringify(m.task)}`);
  if (!Number.isInteger(m.step) || (m.step as number) < 0) throw bad('step must be a non-negative integer');
  if (!Number.isInteger(m.seed)) throw bad('seed must be an integer');
  const data = m.data as TrainingMeta['data'] | undefined;
  const history = Array.isArray(m.history) ? m.history as EpochRecord[] : [];
  const rng = Array.isArray(m.module_rng) && m.module_rng.every((x) => Number.isFinite(x)) ? m.module_rng as number[] : null;
  return {
    spec_name: String(m.spec_name ?? ''), task: m.task, seed: m.seed as number, epoch: m.epoch as number, step: m.step as number,
    epoch_progress: checkProgress(m.epoch_progress, bad),
    metrics: (m.metrics ?? {}) as TrainingMeta['metrics'], history,
    data: { path: typeof data?.path === 'string' ? data.path : null, origin: String(data?.origin ?? '') },
    module_rng: rng, backend: String(m.backend ?? ''),
    steering: steeringFromMeta(m.steering), valid_path: typeof m.valid_path === 'string' ? m.valid_path : null,
  };
}

function checkProgress(p: unknown, bad: (what: string) => UserError): EpochProgressRecord | null {
  if (p === undefined || p === null) return null;
  const r = p as Record<string, unknown>;
  const finite = (k: string) => typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) >= 0;
  if (typeof p !== 'object' || !Number.isInteger(r.batch) || !['batch', 'loss_sum', 'tokens', 'grad_norm_sum', 'seconds'].every(finite)) {
    throw bad('epoch_progress must be {batch, loss_sum, tokens, grad_norm_sum, seconds}, non-negative numbers');
  }
  return { batch: r.batch as number, loss_sum: r.loss_sum as number, tokens: r.tokens as number, grad_norm_sum: r.grad_norm_sum as number, seconds: r.seconds as number };
}

/** Reads and verifies a checkpoint folder; the optimizer state only when asked (resume). */
export function readCheckpoint(dir: string, opts: { optimizer?: boolean } = {}): CheckpointContents {
  // Read-only: runtime/io reads an interrupted commit as the new checkpoint, and repairing the folder
  // here would delete the staging folder of a save in progress (translate while training runs).
  const ckpt = loadCheckpoint(dir);
  const metaFile = path.join(dir, CHECKPOINT_FILES.meta);
  const meta = checkTrainingMeta(ckpt.meta, metaFile);
  const vocabFile = path.join(dir, CHECKPOINT_FILES.vocab);
  const vocabs = checkpointVocabs(ckpt.vocab, meta.task, vocabFile);
  let optimizer: OptimizerState | null = null;
  let carried: TensorDict | null = null;
  const optBytes = ckpt.extraFiles[CHECKPOINT_FILES.optimizer];
  if (opts.optimizer && optBytes) {
    const where = path.join(dir, CHECKPOINT_FILES.optimizer);
    const o = parseSafetensors(optBytes, where);
    optimizer = { tensors: floatTensors(o.tensors, where), meta: o.metadata };
  }
  const carriedBytes = ckpt.extraFiles[CHECKPOINT_FILES.carried];
  if (opts.optimizer && carriedBytes) {
    const where = path.join(dir, CHECKPOINT_FILES.carried);
    carried = floatTensors(parseSafetensors(carriedBytes, where).tensors, where);
  }
  const weights = floatTensors(ckpt.tensors, path.join(dir, CHECKPOINT_FILES.model));
  return { meta, weights, optimizer, carried, vocabs, specText: ckpt.specText };
}
