/**
 * What the PyTorch side of the real-result bench reads: the training data loaded exactly as
 * `seqloom train` loads it (the same vocabularies, BPE merges, held-out split and row encoding), the
 * test split encoded with those vocabularies, and the spec's model and training settings, as int32
 * arrays plus a JSON manifest. Hypotheses come back as ids and are scored here with seqloom's BLEU.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AttentionNode, EmbeddingNode, RecurrentNode, Spec } from '../../src/spec/types.js';
import { encodePairs, type EncodedPairs } from '../../src/runtime/data/seq2seq.js';
import { loadSeq2seqDataset, readSeq2seqCorpus } from '../../src/runtime/data/load.js';
import { writeRow, rowTokens, type StreamRows } from '../../src/runtime/data/stream-rows.js';
import type { Vocab } from '../../src/runtime/text/vocab.js';
import { corpusBleu } from '../../src/runtime/metrics/index.js';
import { dataSpecWith } from '../../src/train/session-data.js';

/** A stream's rows encoded (ids, `<eos>` when it fits, no padding) as offsets and ids. */
function ragged(s: StreamRows, count: number): { off: Int32Array; ids: Int32Array } {
  const off = new Int32Array(count + 1);
  for (let i = 0; i < count; i++) off[i + 1] = off[i]! + s.len[i]!;
  const ids = new Int32Array(off[count]!);
  for (let i = 0; i < count; i++) writeRow(s, i, ids, off[i]!, s.len[i]!);
  return { off, ids };
}

function writeSplit(dir: string, name: string, e: EncodedPairs, withTarget: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { count: e.count };
  const put = (key: string, a: Int32Array) => {
    const file = `${name}-${key}.i32`;
    fs.writeFileSync(path.join(dir, file), Buffer.from(a.buffer, a.byteOffset, a.byteLength));
    out[key] = file;
  };
  const src = ragged(e.source, e.count);
  put('src_off', src.off);
  put('src', src.ids);
  if (withTarget) {
    const tgt = ragged(e.target, e.count);
    put('tgt_off', tgt.off);
    put('tgt', tgt.ids);
  }
  return out;
}

export interface TorchExport { manifest: string; test: EncodedPairs; tgtVocab: Vocab }

export function exportForTorch(spec: Spec, trainFile: string, testFile: string, dir: string): TorchExport {
  if (spec.decode.strategy !== 'greedy') throw new Error(`${spec.file}: the PyTorch side decodes greedily; the spec says decode.strategy: ${spec.decode.strategy}`);
  fs.mkdirSync(dir, { recursive: true });
  const dataSpec = dataSpecWith(spec.data, trainFile);
  const d = loadSeq2seqDataset(dataSpec).data;
  if (d.valid.count === 0) throw new Error('the real-result bench needs held-out data (data.valid_fraction)');
  const vocabs = { source: d.srcVocab, target: d.tgtVocab };
  const read = readSeq2seqCorpus({ ...dataSpec, path: testFile, resolvedPath: testFile, limit: null, valid_fraction: 0 });
  const test = encodePairs(read.data.rows(), read.data.count, vocabs, { source: d.source, target: d.target });
  const node = <T>(op: string) => spec.nodes.find((n) => n.op === op) as T | undefined;
  const enc = node<RecurrentNode>('recurrent')!, emb = node<EmbeddingNode>('embedding')!, attn = node<AttentionNode>('attention');
  const plateau = spec.train.lr_schedule?.reduce_on_plateau ?? null;
  // Validation BLEU as seqloom computes it: hypotheses as words (subwords joined), references the
  // held-out rows' words, one line each (the Python side picks the same evenly spread sentences).
  const refs = Array.from({ length: d.valid.count }, (_, i) => rowTokens(d.valid.target, i).join(' '));
  fs.writeFileSync(path.join(dir, 'valid-refs.txt'), `${refs.join('\n')}\n`);
  const manifest = {
    src_vocab: vocabs.source.size, tgt_vocab: vocabs.target.size, bos: vocabs.target.bos, eos: vocabs.target.eos,
    pad: vocabs.target.pad, tgt_tokens: vocabs.target.tokens, tgt_subwords: vocabs.target.bpe !== null,
    max_len: spec.decode.max_len, valid_refs: 'valid-refs.txt',
    model: { embed: emb.dim, hidden: enc.hidden, layers: enc.layers, dropout: enc.dropout, attention: attn !== undefined, attn_hidden: attn?.hidden ?? enc.hidden },
    settings: {
      seed: spec.train.seed, lr: spec.train.optimizer.lr, clip_norm: spec.train.clip_norm ?? 1e9, batch_tokens: spec.train.batch_tokens,
      warmup_steps: spec.train.lr_schedule?.warmup_steps ?? 0, validate_every: spec.train.validate_every ?? 'epoch',
      bleu_sentences: spec.train.bleu_sentences ?? 1000, keep_best: spec.train.keep_best ?? null,
      plateau: plateau ? { metric: plateau.metric, factor: plateau.factor, patience: plateau.patience, min_lr: plateau.min_lr } : null,
    },
    splits: { train: writeSplit(dir, 'train', d.train, true), valid: writeSplit(dir, 'valid', d.valid, true), test: writeSplit(dir, 'test', test, false) },
  };
  const file = path.join(dir, 'torch-data.json');
  fs.writeFileSync(file, JSON.stringify(manifest));
  return { manifest: file, test, tgtVocab: vocabs.target };
}

/** Corpus BLEU of id hypotheses against a split's references, as `seqloom eval` scores them. */
export function scoreIds(hyps: number[][], test: EncodedPairs, tgtVocab: Vocab): number {
  const words = hyps.map((h) => tgtVocab.decodeWords(h));
  return corpusBleu(words, Array.from({ length: test.count }, (_, i) => rowTokens(test.target, i))).bleu;
}
