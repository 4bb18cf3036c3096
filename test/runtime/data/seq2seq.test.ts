import { describe, expect, it } from 'vitest';
import {
  buildSeq2seqData, builtinPairs, encodeInto, encodeSourceSentences, heldOutCount, mulberry32,
  seq2seqBatch, seq2seqBatches, splitTokens, type EncodedPairs,
} from '../../../src/runtime/data/index.js';
import { Vocab } from '../../../src/runtime/text/index.js';
import { dataSpec, stream } from './spec-helpers.js';

const vocab = Vocab.build([['a', 'b', 'c', 'd']], 1); // a=4 b=5 c=6 d=7

/** A split's rows encoded at full width (max_len), as one batch in order. */
function padded(e: EncodedPairs): { src: Int32Array; tgt: Int32Array } {
  const b = seq2seqBatch(e, Int32Array.from({ length: e.count }, (_, i) => i), false);
  return { src: b.src, tgt: b.tgtOut };
}

function row(ids: number[], maxLen: number, truncation?: 'd2l' | 'keep-eos'): [number[], number] {
  const out = new Int32Array(maxLen + 2).fill(-1);
  const len = encodeInto(ids, maxLen, vocab, out, 1, truncation);
  expect(out[0]).toBe(-1); // writes stay inside [offset, offset + maxLen)
  expect(out[maxLen + 1]).toBe(-1);
  return [[...out.subarray(1, maxLen + 1)], len];
}

describe('encoding (d2l truncate_pad)', () => {
  it('appends <eos> and pads with <pad>; valid length counts <eos>', () => {
    expect(row([4, 5], 5)).toEqual([[4, 5, 3, 0, 0], 3]);
    expect(row([], 3)).toEqual([[3, 0, 0], 1]);
    expect(row([4, 5, 6, 7], 5)).toEqual([[4, 5, 6, 7, 3], 5]);
  });

  it('d2l truncation cuts after appending <eos> (so <eos> is lost); keep-eos keeps it', () => {
    expect(row([4, 5, 6, 7, 4], 5)).toEqual([[4, 5, 6, 7, 4], 5]);
    expect(row([4, 5, 6, 7, 4, 5], 5)).toEqual([[4, 5, 6, 7, 4], 5]);
    expect(row([4, 5, 6, 7, 4, 5], 5, 'keep-eos')).toEqual([[4, 5, 6, 7, 3], 5]);
    expect(row([4, 5, 6, 7], 5, 'keep-eos')).toEqual([[4, 5, 6, 7, 3], 5]);
  });

  it('valid length = number of non-pad tokens', () => {
    for (let n = 0; n < 9; n++) {
      const [ids, len] = row(Array.from({ length: n }, (_, i) => 4 + (i % 4)), 6);
      expect(len).toBe(ids.filter((t) => t !== 0).length);
    }
  });
});

describe('buildSeq2seqData', () => {
  const pairs = [
    { source: 'Go.', target: 'Va !' }, { source: 'Hi.', target: 'Salut !' },
    { source: 'Run!', target: 'Cours !' }, { source: 'Run!', target: 'Courez !' }, { source: 'Go now.', target: 'Va maintenant.' },
  ];
  const spec = dataSpec({
    preprocess: ['nbsp-to-space', 'lowercase', 'space-before-punct'],
    source: stream({ max_len: 3 }), target: stream({ max_len: 4, min_freq: 2 }),
  });

  it('preprocesses, builds vocabularies over all pairs, and encodes fixed-width rows', () => {
    const d = buildSeq2seqData(pairs, spec);
    expect(d.srcVocab.tokens.slice(4)).toEqual(['.', 'go', 'run', '!', 'hi', 'now']); // '.' ×3 first; ties by first appearance
    expect(d.tgtVocab.tokens.slice(4)).toEqual(['!', 'va']); // min_freq 2
    expect(d.train.count).toBe(5);
    expect(d.valid.count).toBe(0);
    const { srcLen, tgtLen } = d.train;
    const { src, tgt } = padded(d.train);
    expect([...src.subarray(0, 3)]).toEqual([5, 4, 3]); // go . <eos>
    expect([...src.subarray(12, 15)]).toEqual([5, 9, 4]); // go now . (eos truncated away)
    expect([...srcLen]).toEqual([3, 3, 3, 3, 3]);
    expect([...tgt.subarray(0, 4)]).toEqual([5, 4, 3, 0]); // va ! <eos> <pad>
    expect([...tgt.subarray(8, 12)]).toEqual([1, 4, 3, 0]); // <unk> ! <eos>
    expect([...tgtLen]).toEqual([3, 3, 3, 3, 4]); // va <unk> . <eos>
    expect(splitTokens(d.train, 'target')[4]).toEqual(['va', 'maintenant', '.']);
  });

  it('applies limit and holds out the last valid_fraction', () => {
    const d = buildSeq2seqData(pairs, { ...spec, limit: 4, valid_fraction: 0.25 });
    expect(d.train.count).toBe(3);
    expect(d.valid.count).toBe(1);
    expect(splitTokens(d.valid, 'source')).toEqual([['run', '!']]);
    expect(d.srcVocab.has('now')).toBe(false);
    expect(heldOutCount(10, 0.1)).toBe(1);
    expect(heldOutCount(1, 0.5)).toBe(0);
    expect(() => heldOutCount(10, 1)).toThrow(/valid_fraction/);
  });

  it('names a missing stream', () => {
    expect(() => buildSeq2seqData(pairs, dataSpec({ target: undefined }))).toThrow(/data.target is missing/);
  });

  it('encodes user sentences with a given vocabulary', () => {
    const d = buildSeq2seqData(pairs, spec);
    const enc = encodeSourceSentences(['Go!', 'Hello'], d.srcVocab, spec);
    expect(enc).toMatchObject({ batch: 2, srcT: 3, tokens: [['go', '!'], ['hello']] });
    expect([...enc.src]).toEqual([5, 7, 3, 1, 3, 0]);
    expect([...enc.srcLen]).toEqual([3, 2]);
  });
});

describe('seq2seqBatches', () => {
  const data: EncodedPairs = buildSeq2seqData(builtinPairs(1, 203), dataSpec({ source: stream({ max_len: 7 }), target: stream({ max_len: 9 }) })).train;

  it('covers every example once per epoch; the last batch holds the remainder', () => {
    const batches = seq2seqBatches(data, 64, 42);
    expect(batches.map((b) => b.batch)).toEqual([64, 64, 64, 11]);
    const seen = batches.flatMap((b) => [...b.indices]).sort((x, y) => x - y);
    expect(seen).toEqual(Array.from({ length: 203 }, (_, i) => i));
  });

  it('rows match the encoded examples; tgtIn = <bos> + tgtOut[:-1]', () => {
    const whole = padded(data);
    for (const b of seq2seqBatches(data, 50, 3)) {
      expect(b.src).toHaveLength(b.batch * b.srcT);
      for (let r = 0; r < b.batch; r++) {
        const i = b.indices[r]!;
        expect([...b.src.subarray(r * 7, r * 7 + 7)]).toEqual([...whole.src.subarray(i * 7, i * 7 + 7)]);
        const out = [...b.tgtOut.subarray(r * 9, r * 9 + 9)];
        expect(out).toEqual([...whole.tgt.subarray(i * 9, i * 9 + 9)]);
        expect([...b.tgtIn.subarray(r * 9, r * 9 + 9)]).toEqual([2, ...out.slice(0, 8)]);
        expect(b.srcLen[r]).toBe(data.srcLen[i]);
        expect(b.tgtLen[r]).toBe(data.tgtLen[i]);
        expect(out[b.tgtLen[r]! - 1]).toBe(3); // targets end with <eos> (none truncated here)
      }
    }
  });

  it('is deterministic from a seed, differs across seeds and epochs of one RandomSource, and can keep order', () => {
    const order = (bs: ReturnType<typeof seq2seqBatches>) => bs.flatMap((b) => [...b.indices]);
    expect(order(seq2seqBatches(data, 64, 5))).toEqual(order(seq2seqBatches(data, 64, 5)));
    expect(order(seq2seqBatches(data, 64, 5))).not.toEqual(order(seq2seqBatches(data, 64, 6)));
    const rng = mulberry32(9);
    expect(order(seq2seqBatches(data, 64, rng))).not.toEqual(order(seq2seqBatches(data, 64, rng)));
    expect(order(seq2seqBatches(data, 64, 0, false))).toEqual(Array.from({ length: 203 }, (_, i) => i));
  });
});
