/**
 * Reading a prepared folder (./format.ts) for training, with every check done before the first
 * step, so a bad folder costs nothing: a truncated shard, a shard from another vocabulary (or another
 * prepare run), an edited vocab.json, a spec whose data section or batch size differs, another seed,
 * or more epochs than were prepared each get one clear error naming the file and what to run.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Spec } from '../../spec/types.js';
import { Vocab } from '../../runtime/text/vocab.js';
import { encodeTokenPairs } from '../../runtime/data/seq2seq.js';
import { UserError } from '../../errors.js';
import type { HostBatch } from '../batch-tensors.js';
import type { CheckpointVocabs } from '../checkpoint.js';
import type { TrainingData } from '../session-data.js';
import { HEADER_BYTES, MANIFEST_FILE, PREPARED_FORMAT, PREPARED_VERSION, decodeShard, readShardHeader, type PreparedManifest } from './format.js';

const REDO = 'prepare it again: seqloom prepare SPEC --data <raw data> --out DIR --overwrite';

/** True when `p` is a folder holding a prepared.json. */
export function isPreparedDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory() && fs.existsSync(path.join(p, MANIFEST_FILE));
  } catch {
    return false;
  }
}

function hashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface PreparedFolder { dir: string; manifest: PreparedManifest; vocabs: CheckpointVocabs }

/** The manifest and vocabularies of a prepared folder, every shard checked (header, size, sha256). */
export function openPrepared(dir: string): PreparedFolder {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  let manifest: PreparedManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as PreparedManifest;
  } catch (e) {
    throw new UserError(`${manifestFile}: unreadable (${(e as Error).message})`, REDO);
  }
  if (manifest.format !== PREPARED_FORMAT || manifest.version !== PREPARED_VERSION || !Array.isArray(manifest.shards)) {
    throw new UserError(`${manifestFile}: not a seqloom prepared-data manifest (version ${PREPARED_VERSION})`, REDO);
  }
  const vocabFile = path.join(dir, 'vocab.json');
  const vocabBytes = readOrFail(vocabFile);
  if (hashOf(vocabBytes) !== manifest.vocab_sha256) {
    throw new UserError(`${vocabFile} is not the vocabulary ${dir} was prepared with (its sha256 differs from prepared.json's)`, REDO);
  }
  const raw = JSON.parse(vocabBytes.toString('utf8')) as Record<string, { tokens: string[] }>;
  const vocab = (s: string): Vocab => {
    if (!raw[s]) throw new UserError(`${vocabFile}: no "${s}" vocabulary`, REDO);
    return Vocab.fromJSON(raw[s], `${vocabFile} (${s})`);
  };
  const vocabs: CheckpointVocabs = manifest.task === 'seq2seq'
    ? { task: 'seq2seq', source: vocab('source'), target: vocab('target') }
    : { task: 'language-model', tokens: vocab('tokens') };
  manifest.shards.forEach((entry, i) => {
    if (entry.epoch !== i + 1) throw new UserError(`${manifestFile}: shard ${entry.file} is listed as epoch ${entry.epoch}, expected ${i + 1}`, REDO);
    checkShard(dir, manifest, entry.epoch, readOrFail(path.join(dir, entry.file)));
  });
  return { dir, manifest, vocabs };
}

function readOrFail(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: ${code === 'ENOENT' ? 'missing' : `cannot read (${code ?? String(e)})`}`, REDO);
  }
}

/** One shard's bytes against the manifest: its header (task, epoch, vocabulary), its size, its sha256. */
function checkShard(dir: string, manifest: PreparedManifest, epoch: number, bytes: Uint8Array): void {
  const entry = manifest.shards[epoch - 1]!;
  const file = path.join(dir, entry.file);
  const header = readShardHeader(bytes);
  if (header === null) {
    const why = bytes.length < HEADER_BYTES ? `truncated: ${bytes.length} of ${entry.bytes} bytes` : 'not a seqloom data shard';
    throw new UserError(`${file}: ${why}`, REDO);
  }
  if (header.vocabHash !== manifest.vocab_sha256) {
    throw new UserError(`${file} was prepared with another vocabulary (sha256 ${header.vocabHash.slice(0, 12)}…, `
      + `this folder's vocab.json is ${manifest.vocab_sha256.slice(0, 12)}…): shards of different prepare runs were mixed`, REDO);
  }
  if (header.task !== (manifest.task === 'seq2seq' ? 1 : 2) || header.epoch !== epoch) {
    throw new UserError(`${file} holds ${header.task === 1 ? 'seq2seq' : 'language-model'} epoch ${header.epoch}, `
      + `the manifest lists it as ${manifest.task} epoch ${epoch}`, REDO);
  }
  if (bytes.length !== entry.bytes) {
    throw new UserError(`${file} is ${bytes.length < entry.bytes ? 'truncated' : 'longer than written'}: ${bytes.length} of ${entry.bytes} bytes`, REDO);
  }
  if (hashOf(bytes) !== entry.sha256) {
    throw new UserError(`${file} differs from what prepare wrote (sha256 mismatch): replaced or corrupted`, REDO);
  }
}

/** The batches of one epoch (read when the epoch starts; checked again, in case the file changed). */
export function readEpoch(folder: PreparedFolder, epoch: number): HostBatch[] {
  const entry = folder.manifest.shards[epoch - 1];
  if (entry === undefined) {
    throw new UserError(`${folder.dir} holds ${folder.manifest.epochs} epoch(s) of batches; epoch ${epoch} was not prepared`,
      `prepare it with --epochs ${epoch} or more`);
  }
  const file = path.join(folder.dir, entry.file);
  const bytes = readOrFail(file);
  checkShard(folder.dir, folder.manifest, epoch, bytes);
  try {
    return decodeShard(bytes, readShardHeader(bytes)!);
  } catch (e) {
    throw new UserError(`${file}: ${(e as Error).message}`, REDO);
  }
}

/** What decided the batches (recorded by prepare, compared when training): data section, batch size or token budget. */
export function batchingInputs(spec: Spec): Record<string, unknown> {
  const { path: _path, resolvedPath: _resolved, ...data } = spec.data as unknown as Record<string, unknown>;
  const batchTokens = spec.train.batch_tokens ?? undefined; // absent (as in folders prepared before it) when unused
  return JSON.parse(JSON.stringify({ data, batch_size: spec.train.batch_size, batch_tokens: batchTokens })) as Record<string, unknown>;
}

/** Training data from a prepared folder, for `spec` and `seed` (both checked against the folder). */
export function loadPreparedData(dir: string, spec: Spec, seed: number): TrainingData {
  const batching = batchingInputs(spec);
  const folder = openPrepared(dir);
  const m = folder.manifest;
  if (m.task !== spec.task) throw new UserError(`${dir} holds ${m.task} data but ${spec.file} is a ${spec.task} spec`);
  if (JSON.stringify(m.batching) !== JSON.stringify(batching)) {
    throw new UserError(`${dir} was prepared with another data section or batch size than ${path.basename(spec.file)}`,
      `prepare it again with this spec: seqloom prepare ${spec.file} --data <raw data> --out ${dir} --overwrite`);
  }
  if (m.seed !== seed) {
    throw new UserError(`${dir} was prepared with seed ${m.seed}, and its batches are fixed by it; this run's seed is ${seed}`,
      `train with --seed ${m.seed}, or prepare again with --seed ${seed}`);
  }
  const vocabSizes = { ...m.vocab_sizes };
  const showcase: TrainingData['showcase'] = folder.vocabs.task === 'seq2seq'
    ? {
      task: 'seq2seq', split: m.showcase.split === 'held-out' ? 'held-out' : 'training',
      pairs: encodeTokenPairs(m.showcase.source ?? [], m.showcase.target ?? [], { source: folder.vocabs.source, target: folder.vocabs.target },
        { source: spec.data.source!, target: spec.data.target! }),
      vocabs: { source: folder.vocabs.source, target: folder.vocabs.target },
      streams: { source: spec.data.source!, target: spec.data.target! },
    }
    : { task: 'language-model', prefix: m.showcase.prefix ?? [], vocab: folder.vocabs.tokens, stream: spec.data.tokens! };
  return {
    vocabs: folder.vocabs, vocabSizes, path: m.data.path, origin: `${dir} (prepared from ${m.data.origin})`,
    description: m.data.description, warnings: [], showcase, maxEpochs: m.epochs,
    epochs: { batches: (epoch) => readEpoch(folder, epoch), batchesPerEpoch: m.shards[0]?.batches ?? 0 },
    prepared: folder,
    heldOut: null, // a prepared folder holds training batches only: validate with train --valid FILE
    dataSpec: spec.data,
  };
}
