/**
 * Through the CLI: a BPE spec trains and its checkpoint carries the merges; translate shows words
 * (never the `@@` marker) and reads an unseen word as known pieces; bucketing and a token budget
 * train, and the padded share goes into metrics.jsonl and the progress line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from '../reliability/helpers.js';
import { readMetrics } from '../../src/train/metrics-log.js';

let root = '';
beforeAll(() => { root = makeTemp('corpora-train'); });
afterAll(() => removeTemp(root));

const bpeSpec = tinySeq2seqSpec({ epochs: 2, limit: 300, maxLen: 16 })
  .replace('source: { tokenizer: word, min_freq: 1, max_len: 16 }', 'source: { tokenizer: bpe, merges: 40, min_freq: 1, max_len: 16 }')
  .replace('target: { tokenizer: word, min_freq: 1, max_len: 16 }', 'target: { tokenizer: bpe, merges: 40, min_freq: 1, max_len: 16 }')
  .replace('decode:\n  strategy: greedy\n  beam_size: 2\n  max_len: 16', 'decode:\n  strategy: beam\n  beam_size: 2\n  max_len: 16');

describe.skipIf(!BUILT)('tokenizer: bpe through train and translate', () => {
  it('trains, keeps the merges in vocab.json, and shows words only', () => {
    fs.writeFileSync(path.join(root, 'bpe.yaml'), bpeSpec);
    const r = seqloom(['train', 'bpe.yaml', '--out', 'bpe-run', '--show', '3'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('@@');
    const vocab = JSON.parse(fs.readFileSync(path.join(root, 'bpe-run', 'vocab.json'), 'utf8')) as Record<string, { tokens: string[]; bpe?: { merges: unknown[] } }>;
    expect(vocab.source!.bpe!.merges.length).toBe(40);
    expect(vocab.source!.tokens.some((t) => t.endsWith('@@'))).toBe(true);

    // "sixty-seventy" never occurs in the data: it is spelled in known pieces, not read as <unk>.
    const tr = seqloom(['translate', 'bpe-run', 'four hundred sixtyseventy', '--json', '--n-best', '2'], root);
    expect(tr.code, tr.stderr).toBe(0);
    expect(tr.stderr).not.toMatch(/not in the source vocabulary/);
    expect(tr.stdout).not.toContain('@@');
    const unk = seqloom(['translate', 'bpe-run', 'four hundred ☃'], root);
    expect(unk.stderr).toMatch(/"☃" is not in the source vocabulary/); // a character never seen is still <unk>
  });
});

describe.skipIf(!BUILT)('bucketing and batch_tokens', () => {
  it('train, and report the padded share per epoch', () => {
    const bucketed = tinySeq2seqSpec({ epochs: 2, limit: 300, maxLen: 12 })
      .replace('  valid_fraction: 0.1\n', '  valid_fraction: 0.1\n  bucketing: true\n')
      .replace('  batch_size: 32\n', '  batch_tokens: 200\n');
    fs.writeFileSync(path.join(root, 'bucket.yaml'), bucketed);
    const r = seqloom(['train', 'bucket.yaml', '--out', 'bucket-run', '--show', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/epoch 1\/2: .*padding \d+\.\d%/);
    const records = readMetrics(path.join(root, 'bucket-run')).filter((m) => m.kind === 'epoch');
    expect(records).toHaveLength(2);
    for (const m of records) {
      expect(m.padding_fraction).toBeGreaterThanOrEqual(0);
      expect(m.padding_fraction).toBeLessThan(0.15);
    }
  });
});
