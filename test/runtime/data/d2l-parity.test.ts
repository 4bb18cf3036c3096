/**
 * seqloom's data pipeline against d2l 0.17 on the real files in ../shared/data (skipped when absent).
 * Reference figures: fixtures/d2l-reference.json, written by fixtures/d2l_reference.py (d2l's own
 * functions, copied verbatim) — counts and sha256 digests only.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildSeq2seqData, lmCorpus, readPairs, readText, seq2seqBatch, splitTokens } from '../../../src/runtime/node/index.js';
import { preprocess } from '../../../src/runtime/text/index.js';
import { dataSpec, stream } from './spec-helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
// SEQLOOM_TEST_DATA points elsewhere (e.g. a missing folder, to check that these tests skip cleanly).
const dataRoot = process.env.SEQLOOM_TEST_DATA ?? path.resolve(repoRoot, '../shared/data');
const fra = path.join(dataRoot, 'fra-eng/fra.txt');
const cmn = path.join(dataRoot, 'cmn-eng/cmn.txt');
const timemachine = path.join(dataRoot, 'timemachine.txt');
const ref = JSON.parse(readFileSync(path.join(here, 'fixtures/d2l-reference.json'), 'utf8')) as Record<string, unknown>;

const sha = (lines: string[]) => createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');
const NMT = ['nbsp-to-space', 'lowercase', 'space-before-punct'] as const;
const nmtSpec = dataSpec({
  preprocess: [...NMT], limit: 600,
  source: stream({ min_freq: 2, max_len: 10 }), target: stream({ min_freq: 2, max_len: 10 }),
});

describe.skipIf(!existsSync(fra))('fra.txt (d2l machine translation)', () => {
  // Read lazily: a skipped describe's body still runs while tests are collected.
  let cached: ReturnType<typeof readPairs>['pairs'] | null = null;
  const firstPairs = () => (cached ??= readPairs(fra, { limit: 2000 }).pairs);

  it('preprocessing matches d2l preprocess_nmt (extended to all typographic spaces)', () => {
    const lines = firstPairs().map((p) => `${preprocess(p.source, NMT)}\t${preprocess(p.target, NMT)}`);
    expect(lines.slice(0, 6).join('\n')).toBe(ref.fra_preprocessed_head);
    expect(sha(lines)).toBe(ref.fra_seqloom_preprocessed_first_2000_lines_sha256);
  });

  it('first 600 pairs, min_freq 2: d2l\'s vocabulary sizes (184 / 201) and token order', () => {
    const d = buildSeq2seqData(firstPairs(), nmtSpec);
    // d2l: <unk> <pad> <bos> <eos> + tokens; seqloom: <pad> <unk> <bos> <eos> + tokens — both 4 specials.
    expect(d.srcVocab.size).toBe(ref.fra_first600_src_vocab_len);
    expect(d.tgtVocab.size).toBe(ref.fra_first600_tgt_vocab_len);
    expect(d.srcVocab.size).toBe(184);
    expect(d.tgtVocab.size).toBe(201);
    expect(sha(d.srcVocab.tokens.slice(4))).toBe(ref.fra_first600_src_vocab_tokens_after_specials_sha256);
    expect(sha(d.tgtVocab.tokens.slice(4))).toBe(ref.fra_seqloom_first600_tgt_vocab_tokens_after_specials_sha256);
    expect(d.train.count).toBe(600);
    // "go ." → go . <eos> <pad>…, valid length 3 (d2l's first row of src_array).
    expect(d.srcVocab.decode(seq2seqBatch(d.train, Int32Array.of(0), false).src)).toEqual(['go', '.', '<eos>', ...Array(7).fill('<pad>')]);
    expect(d.train.srcLen[0]).toBe(3);
  });
});

describe.skipIf(!existsSync(cmn))('cmn.txt (English–Chinese, segmenter)', () => {
  it('reads 3-column lines and segments Chinese into words', () => {
    const { pairs, skipped } = readPairs(cmn, { limit: 1000 });
    expect(pairs).toHaveLength(1000);
    expect(skipped).toBe(0);
    expect(pairs[0]).toEqual({ source: 'Hi.', target: '嗨。' });
    const spec = dataSpec({
      preprocess: ['nbsp-to-space', 'lowercase', 'space-before-punct'],
      source: stream({ tokenizer: 'word', min_freq: 2 }), target: stream({ tokenizer: 'segmenter', min_freq: 2 }),
    });
    const d = buildSeq2seqData(pairs, spec);
    const targets = splitTokens(d.train, 'target');
    expect(targets[1]).toEqual(['你好', '。']);
    expect(targets.every((t) => t.every((tok) => tok.trim().length > 0))).toBe(true);
    // Words, not characters: some tokens are multi-character, and there are fewer tokens than characters.
    const tokens = targets.flat();
    expect(tokens.some((t) => [...t].length > 1)).toBe(true);
    const chars = pairs.reduce((n, p) => n + [...p.target.replace(/\s/g, '')].length, 0);
    expect(tokens.length).toBeLessThan(chars);
    console.info(`cmn.txt first 1000 pairs, min_freq 2: source vocab ${d.srcVocab.size}, target (segmenter) vocab ${d.tgtVocab.size}`);
  });
});

describe.skipIf(!existsSync(timemachine))('timemachine.txt (d2l language model)', () => {
  let cached: string | null = null;
  const corpusText = () => (cached ??= readText(timemachine).text);

  it('letters-only + lowercase + char: d2l\'s 170,580 tokens and 28-symbol vocabulary (31 with 4 specials)', () => {
    const spec = dataSpec({ format: 'text', preprocess: ['letters-only', 'lowercase'], tokens: stream({ tokenizer: 'char', min_freq: 0 }) });
    const { vocab, corpus, lineLengths } = lmCorpus(corpusText(), spec);
    expect(lineLengths).toHaveLength(ref.timemachine_lines as number);
    expect(corpus).toHaveLength(ref.timemachine_char_corpus_len as number);
    expect(corpus).toHaveLength(170580);
    expect(vocab.size).toBe(4 + 27); // d2l: 28 = <unk> + space + 26 letters
    expect(vocab.tokens.slice(4)).toEqual(ref.timemachine_char_vocab_tokens_after_unk);
    expect(vocab.decode(corpus.subarray(0, 10)).join('')).toBe('the time m');
  });

  it('word tokens: d2l\'s corpus length and vocabulary', () => {
    const spec = dataSpec({ format: 'text', preprocess: ['letters-only', 'lowercase'], tokens: stream({ tokenizer: 'word', min_freq: 0 }) });
    const { vocab, corpus } = lmCorpus(corpusText(), spec);
    expect(corpus).toHaveLength(ref.timemachine_word_corpus_len as number);
    expect(vocab.size).toBe((ref.timemachine_word_vocab_len as number) + 3); // d2l has only <unk>
    expect(vocab.tokens.slice(4, 14)).toEqual(ref.timemachine_word_vocab_top10);
  });
});
