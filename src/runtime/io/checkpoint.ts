/**
 * A checkpoint folder: `model.safetensors` (tensors `<node>.<param>` in PyTorch names and layouts),
 * `vocab.json` ({stream: {tokens}}), `spec.yaml` (the spec text as trained) and `meta.json`
 * ({spec_hash, seed, epoch, metrics, files: {name: sha256}, ...}).
 *
 * saveCheckpoint commits the files through a journal (atomic-dir.ts: staged, fsynced, then
 * renamed in, meta.json last), so a crash at any moment leaves one whole checkpoint — the old one,
 * or the new one once the journal is written. Inside a folder, meta.json is written last, so a
 * folder with a meta.json is complete and one without is a recognizable interrupted save.
 * meta.json records every file's sha256; loading checks presence, the hashes, the spec hash and the
 * vocabularies, and names the offending file in a UserError. A save interrupted inside the
 * trainer's commit reads as the new checkpoint (pending-commit.ts), and a load that races a save in
 * progress (files changing under it) is retried rather than reported as a corrupt folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFileBounded } from './bounded-read.js';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { Vocab, type VocabJSON } from '../text/vocab.js';
import { decodeUtf8, parseJsonBytes, parseVocabJson } from './checkpoint-bytes.js';
import { replaceFilesAtomicallySync } from './atomic-dir.js';
import { writeFileAtomic } from './atomic-write.js';
import { pendingCommit, saveInProgress } from './pending-commit.js';
import {
  MAX_SAFETENSORS_FILE_BYTES, parseSafetensors, serializeSafetensors, type SafetensorsTensor, type TensorData,
} from './safetensors.js';

/** A checkpoint file that is not a regular file (a pipe, a device) may give at most this much. */
const CHECKPOINT_STREAM_BYTES = 64 * 2 ** 20;

export const CHECKPOINT_FILES = { model: 'model.safetensors', vocab: 'vocab.json', spec: 'spec.yaml', meta: 'meta.json' } as const;
export const CHECKPOINT_FORMAT = 'seqloom-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointMeta {
  /** sha256 of spec.yaml's text (set by saveCheckpoint). */
  spec_hash: string;
  seed: number;
  epoch: number;
  metrics: Record<string, number>;
  /** Anything else the trainer wants to keep (JSON values). */
  [key: string]: unknown;
}

export interface CheckpointInput {
  tensors: Record<string, TensorData>;
  /** Per stream (`source`/`target`, or `tokens`). */
  vocab: Record<string, Vocab | VocabJSON>;
  specText: string;
  /** `spec_hash` is computed from `specText`; a different one given here is ignored. */
  meta: Omit<CheckpointMeta, 'spec_hash'> & { spec_hash?: string };
  /** Extra `__metadata__` strings for model.safetensors. */
  tensorMetadata?: Record<string, string>;
  /** More files to keep with the checkpoint (e.g. optimizer state), written before meta.json and hashed. */
  extraFiles?: Record<string, Uint8Array | string>;
}

export interface Checkpoint {
  dir: string;
  tensors: Record<string, SafetensorsTensor>;
  tensorMetadata: Record<string, string>;
  vocab: Record<string, Vocab>;
  specText: string;
  meta: CheckpointMeta;
  /** Extra files named in meta.json, hashes verified (bytes). */
  extraFiles: Record<string, Uint8Array>;
}

/** sha256 (hex) of a spec's text, as UTF-8. */
export function specHash(text: string): string {
  return sha256(Buffer.from(text, 'utf8'));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const RESERVED = new Set<string>(Object.values(CHECKPOINT_FILES));
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Write a checkpoint into `dir` (created if needed), crash-safe: the files are staged and committed
 * as one unit. Returns the file names written, meta.json last.
 */
export function saveCheckpoint(dir: string, input: CheckpointInput): string[] {
  const files = checkpointFiles(input);   // a bad tensor or file name fails here, before any write
  let names: string[] = [];
  replaceFilesAtomicallySync(dir, (staging) => { names = writeFiles(staging, input, files); });
  return names;
}

/**
 * The files of a checkpoint, written straight into `dir`, meta.json last (after removing a stale
 * one). Not crash-safe by itself: for a fresh folder, or a journal's staging folder (the trainer's
 * writeCheckpoint, saveCheckpoint).
 */
export function writeCheckpointFiles(dir: string, input: CheckpointInput): string[] {
  return writeFiles(dir, input, checkpointFiles(input));
}

function writeFiles(dir: string, input: CheckpointInput, files: [string, Uint8Array][]): string[] {
  const metaPath = path.join(dir, CHECKPOINT_FILES.meta);
  rmSync(metaPath, { force: true }); // until the new meta.json lands, the folder reads as incomplete
  const hashes: Record<string, string> = {};
  for (const [name, bytes] of files) {
    writeFileAtomic(path.join(dir, name), bytes);
    hashes[name] = sha256(bytes);
  }
  const meta = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...input.meta, spec_hash: specHash(input.specText), files: hashes };
  writeFileAtomic(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  return [...files.map(([name]) => name), CHECKPOINT_FILES.meta];
}

/** Every file but meta.json, serialized (a bad tensor or file name fails here, before any write). */
function checkpointFiles(input: CheckpointInput): [string, Uint8Array][] {
  const spec_hash = specHash(input.specText);
  const vocab: Record<string, VocabJSON> = {};
  for (const [stream, v] of Object.entries(input.vocab)) vocab[stream] = v instanceof Vocab ? v.toJSON() : Vocab.fromJSON(v, `vocabulary ${stream}`).toJSON();
  const files: [string, Uint8Array][] = [
    [CHECKPOINT_FILES.model, serializeSafetensors(input.tensors, { format: 'pt', ...input.tensorMetadata, spec_hash })],
    [CHECKPOINT_FILES.vocab, Buffer.from(`${JSON.stringify(vocab, null, 1)}\n`, 'utf8')],
    [CHECKPOINT_FILES.spec, Buffer.from(input.specText, 'utf8')],
  ];
  for (const [name, content] of Object.entries(input.extraFiles ?? {})) {
    if (RESERVED.has(name) || !SAFE_NAME.test(name)) throw new UserError(`cannot add checkpoint file ${JSON.stringify(name)}`);
    files.push([name, typeof content === 'string' ? Buffer.from(content, 'utf8') : content]);
  }
  return files;
}

function readCheckpointFile(dir: string, name: string, staged: ReadonlyMap<string, string> = new Map()): Uint8Array {
  const stagedFile = staged.get(name);
  if (stagedFile !== undefined) {
    try {
      return readFileBounded(stagedFile, MAX_SAFETENSORS_FILE_BYTES, CHECKPOINT_STREAM_BYTES);
    } catch {
      // Renamed into the folder since the journal was read: read it there.
    }
  }
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    throw new UserError(`${file} is missing: the checkpoint is incomplete`, 'save the checkpoint again, or point to a complete one');
  }
  try {
    return readFileBounded(file, MAX_SAFETENSORS_FILE_BYTES, CHECKPOINT_STREAM_BYTES);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function checkMeta(raw: unknown, file: string): CheckpointMeta & { files?: Record<string, string> } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError(`${file}: expected a JSON object`);
  const m = raw as Record<string, unknown>;
  if (m.format !== undefined && m.format !== CHECKPOINT_FORMAT) throw new UserError(`${file}: format ${JSON.stringify(m.format)} is not ${CHECKPOINT_FORMAT}`);
  if (typeof m.version === 'number' && m.version > CHECKPOINT_VERSION) {
    throw new UserError(`${file}: checkpoint version ${m.version} is newer than this seqloom reads (${CHECKPOINT_VERSION})`);
  }
  if (typeof m.spec_hash !== 'string' || !/^[0-9a-f]{64}$/.test(m.spec_hash)) throw new UserError(`${file}: spec_hash must be a sha256 hex string`);
  if (typeof m.seed !== 'number') throw new UserError(`${file}: seed must be a number`);
  if (typeof m.epoch !== 'number' || !Number.isInteger(m.epoch) || m.epoch < 0) throw new UserError(`${file}: epoch must be a non-negative integer`);
  if (typeof m.metrics !== 'object' || m.metrics === null || Array.isArray(m.metrics)) throw new UserError(`${file}: metrics must be an object`);
  if (m.files !== undefined) {
    const f = m.files;
    if (typeof f !== 'object' || f === null || Array.isArray(f) || !Object.values(f).every((h) => typeof h === 'string')) {
      throw new UserError(`${file}: files must map file names to sha256 strings`);
    }
    for (const name of Object.keys(f)) {
      if (!SAFE_NAME.test(name)) throw new UserError(`${file}: files names ${JSON.stringify(name)}, not a plain file name`);
    }
  }
  return m as CheckpointMeta & { files?: Record<string, string> };
}

/** Which file a path names right now (a save replaces meta.json by renaming a new file over it). */
function fileIdentity(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return 'absent';
  }
}

/** Thrown when a folder's files disagree while a save is in progress there: read again. */
class ChangedWhileReading extends UserError {}

const RETRIES = 10;

/** Load and validate a checkpoint folder. */
export function loadCheckpoint(dir: string): Checkpoint {
  if (!existsSync(dir)) throw new UserError(`${dir}: checkpoint folder not found`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: a checkpoint is a folder (with ${Object.values(CHECKPOINT_FILES).join(', ')})`);
  for (let attempt = 1; ; attempt++) {
    try {
      return loadCheckpointOnce(dir);
    } catch (err) {
      if (!(err instanceof ChangedWhileReading) || attempt >= RETRIES) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 * attempt); // let the writer finish its commit
    }
  }
}

function loadCheckpointOnce(dir: string): Checkpoint {
  const staged = pendingCommit(dir);
  const metaFile = path.join(dir, CHECKPOINT_FILES.meta);
  if (!existsSync(metaFile) && !staged.has(CHECKPOINT_FILES.meta)) {
    throw new UserError(`${metaFile} is missing: not a seqloom checkpoint, or its save was interrupted`, 'train again, or point to a complete checkpoint');
  }
  const metaIdentity = fileIdentity(metaFile);
  const meta = checkMeta(parseJsonBytes(readCheckpointFile(dir, CHECKPOINT_FILES.meta, staged), metaFile), metaFile);
  const bytes = new Map<string, Uint8Array>();
  for (const name of new Set([CHECKPOINT_FILES.model, CHECKPOINT_FILES.vocab, CHECKPOINT_FILES.spec, ...Object.keys(meta.files ?? {})])) {
    const content = readCheckpointFile(dir, name, staged);
    const expected = meta.files?.[name];
    if (expected !== undefined && sha256(content) !== expected) {
      const Failure = saveInProgress(dir) || fileIdentity(metaFile) !== metaIdentity ? ChangedWhileReading : UserError;
      throw new Failure(`${path.join(dir, name)} does not match ${CHECKPOINT_FILES.meta} (changed after saving, or left from another save)`,
        'use the checkpoint as saved, or train again');
    }
    bytes.set(name, content);
  }
  const specFile = path.join(dir, CHECKPOINT_FILES.spec);
  const specText = decodeUtf8(bytes.get(CHECKPOINT_FILES.spec)!, specFile);
  if (specHash(specText) !== meta.spec_hash) {
    throw new UserError(`${specFile}: its sha256 differs from meta.json's spec_hash (the spec was edited after training)`);
  }
  const modelFile = path.join(dir, CHECKPOINT_FILES.model);
  const { tensors, metadata } = parseSafetensors(bytes.get(CHECKPOINT_FILES.model)!, modelFile);
  if (metadata.spec_hash !== undefined && metadata.spec_hash !== meta.spec_hash) {
    throw new UserError(`${modelFile}: was saved for a different spec than meta.json's (spec_hash differs)`);
  }
  const vocabFile = path.join(dir, CHECKPOINT_FILES.vocab);
  const vocab = parseVocabJson(parseJsonBytes(bytes.get(CHECKPOINT_FILES.vocab)!, vocabFile), vocabFile);
  const extraFiles: Record<string, Uint8Array> = {};
  for (const [name, content] of bytes) if (!RESERVED.has(name)) extraFiles[name] = content;
  return { dir, tensors, tensorMetadata: metadata, vocab, specText, meta, extraFiles };
}
