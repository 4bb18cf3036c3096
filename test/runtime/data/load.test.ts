import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  BUILTIN_PAIR_COUNT, BUILTIN_SEQ2SEQ_ORIGIN, BUILTIN_TEXT_ORIGIN, loadLmDataset, loadSeq2seqDataset, seq2seqBatches, splitTokens,
} from '../../../src/runtime/node/index.js';
import { dataSpec, stream } from './spec-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSeq2seqDataset', () => {
  it('uses the built-in numbers task when no path is given, independent of anything but its seed', () => {
    const spec = dataSpec({ valid_fraction: 0.1, source: stream({ max_len: 10 }), target: stream({ max_len: 10 }) });
    const a = loadSeq2seqDataset(spec);
    expect(a.origin).toBe(BUILTIN_SEQ2SEQ_ORIGIN);
    expect(a.data.train.count + a.data.valid.count).toBe(BUILTIN_PAIR_COUNT);
    expect(a.data.valid.count).toBe(BUILTIN_PAIR_COUNT / 10);
    expect(seq2seqBatches(loadSeq2seqDataset(spec).data.train, 64, 0)).toEqual(seq2seqBatches(a.data.train, 64, 0));
    // Every target fits max_len 10 (the d2l specs' value) with its <eos>; nothing is truncated.
    const lens = [...a.data.train.tgtLen];
    const targets = splitTokens(a.data.train, 'target');
    expect(lens.every((l, i) => l === targets[i]!.length + 1)).toBe(true);
    expect(seq2seqBatches(a.data.train, 64, 0)).toHaveLength(Math.ceil(a.data.train.count / 64));
  });

  it('reads a tsv file, applying limit and the bad-line policy', () => {
    const file = path.join(dir, 'pairs.tsv');
    writeFileSync(file, 'Go.\tVa !\nbroken\nHi.\tSalut !\nRun!\tCours !\n');
    const spec = dataSpec({ path: 'pairs.tsv', resolvedPath: file, on_bad_line: 'skip', limit: 2 });
    const loaded = loadSeq2seqDataset(spec);
    expect(loaded.origin).toBe(file);
    expect(loaded.skipped).toBe(1);
    expect(loaded.warnings[0]).toBe(`${file}:2: line has no tab (expected source<TAB>target)`);
    expect(splitTokens(loaded.data.train, 'source')).toEqual([['Go.'], ['Hi.']]);
    expect(() => loadSeq2seqDataset({ ...spec, on_bad_line: 'error' })).toThrow(/pairs.tsv:2: line has no tab/);
    expect(() => loadSeq2seqDataset({ ...spec, format: 'text' })).toThrow(/seq2seq model reads data.format tsv/);
  });
});

describe('loadLmDataset', () => {
  const lmSpec = dataSpec({ format: 'text', source: undefined, target: undefined, tokens: stream({ tokenizer: 'char' }), preprocess: ['letters-only', 'lowercase'] });

  it('uses the built-in number-words text when no path is given', () => {
    const loaded = loadLmDataset(lmSpec);
    expect(loaded.origin).toBe(BUILTIN_TEXT_ORIGIN);
    expect(loaded.data.vocab.size).toBeLessThanOrEqual(4 + 27);
    expect(loaded.data.train.length).toBeGreaterThan(50_000);
  });

  it('reads a text file and refuses tsv', () => {
    const file = path.join(dir, 'corpus.txt');
    writeFileSync(file, 'The Time Machine\r\nby H. G. Wells\r\n');
    const loaded = loadLmDataset({ ...lmSpec, path: 'corpus.txt', resolvedPath: file });
    expect(loaded.data.vocab.decode(loaded.data.train).join('')).toBe('the time machineby h g wells');
    expect(() => loadLmDataset({ ...lmSpec, path: 'x', resolvedPath: file, format: 'tsv' })).toThrow(/language model reads data.format text/);
  });
});
