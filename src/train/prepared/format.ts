/**
 * The prepared-data format (`seqloom prepare`): one folder that both engines read, so they train on
 * identical examples in identical order.
 *
 *   prepared.json      manifest: format, task, seed, epochs, the batching inputs (the spec's data
 *                      section and batch size), the vocabulary's sha256, each shard's size and sha256
 *   vocab.json         the vocabularies, as in a checkpoint
 *   spec.yaml          the spec text it was prepared with
 *   epoch-0001.bin …   one shard per epoch: that epoch's batches, in training order
 *
 * A shard is little-endian int32 throughout: a 64-byte header
 *
 *   magic "SLB1" · version 1 · task (1 seq2seq, 2 language model) · epoch · batch count ·
 *   the first 32 bytes of the vocabulary's sha256 (hex → raw) · 12 bytes of zeros
 *
 * then per batch, seq2seq: [rows, srcT, tgtT] src[rows·srcT] srcLen[rows] tgtIn[rows·tgtT]
 * tgtOut[rows·tgtT] tgtLen[rows]; language model: [rows, steps] x[rows·steps] y[rows·steps].
 * python/seqloom_torch/data.py reads the same layout.
 */
import type { HostBatch, HostLmBatch, HostSeq2SeqBatch } from '../batch-tensors.js';
import { isSeq2SeqHostBatch } from '../batch-tensors.js';

export const PREPARED_FORMAT = 'seqloom-prepared';
export const PREPARED_VERSION = 1;
export const MANIFEST_FILE = 'prepared.json';
export const HEADER_BYTES = 64;
const MAGIC = 0x31424c53; // "SLB1" read as a little-endian int32

export interface ShardEntry { file: string; epoch: number; batches: number; tokens: number; bytes: number; sha256: string }

export interface PreparedManifest {
  format: typeof PREPARED_FORMAT;
  version: number;
  task: 'seq2seq' | 'language-model';
  spec_name: string;
  seed: number;
  epochs: number;
  /** What decided the batches: the spec's data section (without its path) and train.batch_size. */
  batching: Record<string, unknown>;
  /** sha256 of vocab.json's bytes. */
  vocab_sha256: string;
  vocab_sizes: Record<string, number>;
  /** The raw data: an absolute file path (null: the built-in task), and how training describes it. */
  data: { path: string | null; origin: string; description: string };
  shards: ShardEntry[];
  /** A few held-out (or training) examples for `train --show`: token lists per stream. */
  showcase: { split: string; source?: string[][]; target?: string[][]; prefix?: number[] };
}

export function shardName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}.bin`;
}

export interface ShardHeader { task: 1 | 2; epoch: number; batches: number; vocabHash: string }

/** A shard's bytes for one epoch's batches. */
export function encodeShard(task: 1 | 2, epoch: number, vocabSha256: string, batches: readonly HostBatch[]): Buffer {
  const parts: Int32Array[] = [];
  for (const b of batches) {
    if (isSeq2SeqHostBatch(b)) {
      parts.push(Int32Array.of(b.batch, b.srcT, b.tgtT), b.src, b.srcLen, b.tgtIn, b.tgtOut, b.tgtLen);
    } else {
      parts.push(Int32Array.of(b.batch, b.steps), b.x, b.y);
    }
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeInt32LE(MAGIC, 0);
  header.writeInt32LE(PREPARED_VERSION, 4);
  header.writeInt32LE(task, 8);
  header.writeInt32LE(epoch, 12);
  header.writeInt32LE(batches.length, 16);
  Buffer.from(vocabSha256, 'hex').copy(header, 20, 0, 32);
  return Buffer.concat([header, ...parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))]);
}

/** Reads a shard's header; null when the bytes are not a shard at all. */
export function readShardHeader(bytes: Uint8Array): ShardHeader | null {
  if (bytes.length < HEADER_BYTES) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0, true) !== MAGIC) return null;
  const task = view.getInt32(8, true);
  if (task !== 1 && task !== 2) return null;
  return {
    task, epoch: view.getInt32(12, true), batches: view.getInt32(16, true),
    vocabHash: Buffer.from(bytes.subarray(20, 52)).toString('hex'),
  };
}

/**
 * The batches of a shard whose header was checked. Throws (plain Error, with the offset) when the
 * records do not fill the file exactly; callers turn that into a located UserError.
 */
export function decodeShard(bytes: Uint8Array, header: ShardHeader): HostBatch[] {
  if (bytes.byteOffset % 4 !== 0) bytes = Uint8Array.from(bytes);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset + HEADER_BYTES, (bytes.length - HEADER_BYTES) >> 2);
  if ((bytes.length - HEADER_BYTES) % 4 !== 0) throw new Error(`its size is not a whole number of int32 values`);
  const out: HostBatch[] = [];
  let at = 0;
  const take = (n: number): Int32Array => {
    if (n < 0 || at + n > words.length) throw new Error(`batch ${out.length + 1} of ${header.batches} runs past the end of the file`);
    const v = words.slice(at, at + n);
    at += n;
    return v;
  };
  for (let i = 0; i < header.batches; i++) {
    if (header.task === 1) {
      const [batch, srcT, tgtT] = take(3) as unknown as [number, number, number];
      const b: HostSeq2SeqBatch = {
        batch, srcT, tgtT, src: take(batch * srcT), srcLen: take(batch), tgtIn: take(batch * tgtT), tgtOut: take(batch * tgtT), tgtLen: take(batch),
      };
      out.push(b);
    } else {
      const [batch, steps] = take(2) as unknown as [number, number];
      const b: HostLmBatch = { batch, steps, x: take(batch * steps), y: take(batch * steps) };
      out.push(b);
    }
  }
  if (at !== words.length) throw new Error(`${(words.length - at) * 4} bytes follow the last batch`);
  return out;
}
