/**
 * `seqloom prepare SPEC --data P --out DIR`: runs the data pipeline once — tokenize, build the
 * vocabularies, and materialize every epoch's batches with the trainer's own batching
 * (session-data.ts → runtime/data, the same pure function of data, seed and epoch that
 * `seqloom train` calls) — and writes them as id shards (./format.ts). Both engines then train on
 * identical examples in identical order. The folder is built beside DIR and renamed into place, so
 * an interrupted prepare leaves nothing half-written under DIR.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Spec } from '../../spec/types.js';
import { UserError } from '../../errors.js';
import { loadTrainingData } from '../session-data.js';
import { hostBatchTokens, type HostBatch } from '../batch-tensors.js';
import { EXACT_MATCH_LIMIT, spreadIndices } from '../show-examples.js';
import { rowTokens } from '../../runtime/data/stream-rows.js';
import {
  MANIFEST_FILE, PREPARED_FORMAT, PREPARED_VERSION, encodeShard, shardName, type PreparedManifest, type ShardEntry,
} from './format.js';
import { batchingInputs, isPreparedDir } from './read.js';

export interface PrepareOptions {
  spec: Spec;
  data?: string;
  out: string;
  epochs?: number;
  seed?: number;
  overwrite?: boolean;
  note(message: string): void;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function runPrepare(o: PrepareOptions): Promise<{ dir: string; manifest: PreparedManifest }> {
  const { spec } = o;
  const seed = o.seed ?? spec.train.seed;
  const epochs = o.epochs ?? spec.train.epochs;
  if (o.data !== undefined && isPreparedDir(o.data)) {
    throw new UserError(`--data ${o.data} is already a prepared folder`, 'prepare reads raw data (a .tsv or text file); train with --data on the folder');
  }
  const out = path.resolve(o.out);
  if (fs.existsSync(out)) {
    if (!fs.statSync(out).isDirectory()) throw new UserError(`--out ${o.out} is a file; prepared data is a folder`);
    if (fs.existsSync(path.join(out, 'meta.json'))) throw new UserError(`--out ${o.out} holds a checkpoint; prepared data needs its own folder`);
    if (fs.readdirSync(out).length > 0 && !o.overwrite) {
      throw new UserError(`--out ${o.out} is not empty`, 'pass --overwrite to replace it, or choose another --out');
    }
  }
  const data = loadTrainingData(spec, o.data, seed);
  for (const w of data.warnings) o.note(w);
  const vocabRecord = data.vocabs.task === 'seq2seq'
    ? { source: data.vocabs.source.toJSON(), target: data.vocabs.target.toJSON() }
    : { tokens: data.vocabs.tokens.toJSON() };
  const vocabBytes = Buffer.from(`${JSON.stringify(vocabRecord, null, 1)}\n`, 'utf8');
  const vocabSha = sha256(vocabBytes);
  const task = spec.task === 'seq2seq' ? 1 : 2;
  const staging = `${out}.preparing-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    fs.writeFileSync(path.join(staging, 'vocab.json'), vocabBytes);
    fs.writeFileSync(path.join(staging, 'spec.yaml'), spec.source);
    const shards: ShardEntry[] = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const batches = [...data.epochs.batches(epoch)] as HostBatch[];
      const bytes = encodeShard(task, epoch, vocabSha, batches);
      const file = shardName(epoch);
      fs.writeFileSync(path.join(staging, file), bytes);
      const tokens = batches.reduce((n, b) => n + hostBatchTokens(b), 0);
      shards.push({ file, epoch, batches: batches.length, tokens, bytes: bytes.length, sha256: sha256(bytes) });
      if (epoch === 1 || epoch === epochs || epoch % Math.max(1, Math.floor(epochs / 10)) === 0) {
        o.note(`prepared epoch ${epoch}/${epochs}: ${batches.length} batches, ${tokens} target tokens`);
      }
    }
    const manifest: PreparedManifest = {
      format: PREPARED_FORMAT, version: PREPARED_VERSION, task: spec.task, spec_name: spec.name, seed, epochs,
      batching: batchingInputs(spec), vocab_sha256: vocabSha, vocab_sizes: { ...data.vocabSizes } as Record<string, number>,
      data: { path: data.path, origin: data.origin, description: data.description },
      shards, showcase: showcaseOf(data.showcase),
    };
    fs.writeFileSync(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
    const old = `${out}.replaced-${process.pid}`;
    if (fs.existsSync(out)) fs.renameSync(out, old);
    fs.renameSync(staging, out);
    fs.rmSync(old, { recursive: true, force: true });
    return { dir: out, manifest };
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

function showcaseOf(s: ReturnType<typeof loadTrainingData>['showcase']): PreparedManifest['showcase'] {
  if (s.task === 'language-model') return { split: 'training', prefix: s.prefix };
  const keep = spreadIndices(s.pairs.count, EXACT_MATCH_LIMIT);
  return { split: s.split, source: keep.map((i) => rowTokens(s.pairs.source, i)), target: keep.map((i) => rowTokens(s.pairs.target, i)) };
}
