import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseModelInput, validateModelInput, type ParseInputOptions, type Seq2SeqInput, type LmInput } from '../../src/train/input-json.js';
import { UserError } from '../../src/errors.js';

const good = {
  vocab: { source: 10, target: 8 }, pad: 0, bos: 2, eos: 3,
  src: [[4, 5, 6], [7, 0, 0]], src_len: [3, 1], tgt_in: [[2, 4], [2, 5]],
};
const s2s = { file: 'in.json', task: 'seq2seq' as const, needTarget: true };
const lm = { file: 'in.json', task: 'language-model' as const, needTarget: false };

function errorOf(json: unknown, opts: ParseInputOptions = s2s): string {
  try {
    validateModelInput(json, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

const mutate = (patch: Record<string, unknown>) => ({ ...good, ...patch });

describe('IN.json validation', () => {
  it('reads a valid seq2seq input into row-major int32 arrays', () => {
    const r = validateModelInput(good, s2s) as Seq2SeqInput;
    expect(r.task).toBe('seq2seq');
    expect([r.batch, r.srcT, r.tgtT]).toEqual([2, 3, 2]);
    expect(Array.from(r.src)).toEqual([4, 5, 6, 7, 0, 0]);
    expect(Array.from(r.srcLen)).toEqual([3, 1]);
    expect(Array.from(r.tgtIn!)).toEqual([2, 4, 2, 5]);
    expect([r.pad, r.bos, r.eos]).toEqual([0, 2, 3]);
  });

  it('reads a language-model input', () => {
    const r = validateModelInput({ vocab: { tokens: 5 }, tokens: [[1, 2], [3, 4]] }, lm) as LmInput;
    expect([r.batch, r.T, r.vocab.tokens]).toEqual([2, 2, 5]);
    expect(Array.from(r.tokens)).toEqual([1, 2, 3, 4]);
  });

  it('lets decode omit tgt_in but not forward', () => {
    const { tgt_in: _, ...noTgt } = good;
    expect((validateModelInput(noTgt, { ...s2s, needTarget: false }) as Seq2SeqInput).tgtIn).toBeNull();
    expect(errorOf(noTgt)).toMatch(/^in\.json: tgt_in: missing/);
  });

  it.each([
    ['not JSON', null, /not valid JSON/],
    ['an array root', [], /\(root\): expected a JSON object, got an array/],
    ['ragged src', mutate({ src: [[4, 5, 6], [7]] }), /src\[1\]: has 1 ids but src\[0\] has 3: rows must all have the same length/],
    ['src id too large', mutate({ src: [[4, 5, 10], [7, 0, 0]] }), /src\[0\]\[2\]: id 10 is out of range for the source vocabulary \(size 10\)/],
    ['negative id', mutate({ src: [[4, -1, 6], [7, 0, 0]] }), /src\[0\]\[1\]: id -1 is out of range/],
    ['fractional id', mutate({ tgt_in: [[2, 4.5], [2, 5]] }), /tgt_in\[0\]\[1\]: expected an integer id, got 4\.5/],
    ['string id', mutate({ src: [[4, '5', 6], [7, 0, 0]] }), /src\[0\]\[1\]: expected an integer id, got the string "5"/],
    ['null id', mutate({ src: [[4, null, 6], [7, 0, 0]] }), /src\[0\]\[1\]: expected an integer id, got null/],
    ['tgt id beyond target vocab', mutate({ tgt_in: [[2, 8], [2, 5]] }), /tgt_in\[0\]\[1\]: id 8 is out of range for the target vocabulary \(size 8\)/],
    ['zero length', mutate({ src_len: [3, 0] }), /src_len\[1\]: length 0 must be between 1 and the padded source length 3/],
    ['negative length', mutate({ src_len: [-2, 1] }), /src_len\[0\]: length -2/],
    ['length beyond T', mutate({ src_len: [4, 1] }), /src_len\[0\]: length 4/],
    ['length count mismatch', mutate({ src_len: [3] }), /src_len: has 1 entries but src has 2 rows/],
    ['src_len not an array', mutate({ src_len: 3 }), /src_len: expected an array of lengths, got 3/],
    ['tgt rows mismatch', mutate({ tgt_in: [[2, 4]] }), /tgt_in: has 1 rows but src has 2/],
    ['empty src', mutate({ src: [] }), /src: is empty/],
    ['empty row', mutate({ src: [[], []] }), /src\[0\]: is empty/],
    ['src row not an array', mutate({ src: [4, 5] }), /src\[0\]: expected an array of ids, got 4/],
    ['missing vocab', mutate({ vocab: undefined }), /vocab: expected an object/],
    ['missing target size', mutate({ vocab: { source: 10 } }), /vocab\.target: missing/],
    ['zero vocab', mutate({ vocab: { source: 0, target: 8 } }), /vocab\.source: expected a positive integer, got 0/],
    ['huge vocab', mutate({ vocab: { source: 1e12, target: 8 } }), /vocab\.source: 1000000000000 is too large/],
    ['bos out of range', mutate({ bos: 8 }), /bos: id 8 is out of range for the target vocabulary \(size 8\)/],
    ['eos as a string', mutate({ eos: '3' }), /eos: expected an integer id, got the string "3"/],
    ['missing pad', mutate({ pad: undefined }), /pad: missing/],
    ['equal specials', mutate({ eos: 2 }), /pad\/bos\/eos: the special ids must differ/],
    ['language-model input for a seq2seq spec', { vocab: { tokens: 5 }, tokens: [[1]] }, /looks like language-model input/],
  ])('rejects %s', (_name, json, pattern) => {
    if (json === null) {
      expect(() => parseModelInput('{"vocab": ', s2s)).toThrow(pattern);
      return;
    }
    const message = errorOf(json);
    expect(message).toMatch(/^in\.json: /);
    expect(message).toMatch(pattern);
  });

  it('rejects malformed language-model input', () => {
    expect(errorOf({ vocab: { tokens: 5 }, tokens: [[1, 5]] }, lm)).toMatch(/tokens\[0\]\[1\]: id 5 is out of range for the token vocabulary/);
    expect(errorOf({ vocab: { tokens: 5 }, tokens: [[1, 2], [1]] }, lm)).toMatch(/tokens\[1\]: has 1 ids/);
    expect(errorOf(good, lm)).toMatch(/looks like seq2seq input/);
  });

  it('warns about unknown keys instead of failing', () => {
    const warnings: string[] = [];
    validateModelInput({ ...good, tgt_out: [[1]] }, { ...s2s, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual(['in.json: ignoring unknown key(s) "tgt_out"']);
  });

  it('answers any JSON value with a result or a UserError, never another exception', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.boolean(), (json, isLm) => {
      try {
        validateModelInput(json, isLm ? lm : s2s);
      } catch (e) {
        return e instanceof UserError && e.message.startsWith('in.json: ');
      }
      return true;
    }), { numRuns: 300 });
  });

  it('accepts every well-formed random input and rejects it after one id is pushed out of range', () => {
    const input = fc.record({
      Vs: fc.integer({ min: 4, max: 30 }), Vt: fc.integer({ min: 4, max: 30 }),
      B: fc.integer({ min: 1, max: 4 }), Ts: fc.integer({ min: 1, max: 6 }), Tt: fc.integer({ min: 1, max: 6 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(fc.property(input, ({ Vs, Vt, B, Ts, Tt, seed }) => {
      let x = seed;
      const rnd = (n: number) => { x = (x * 1103515245 + 12345) % 2147483648; return x % n; };
      const json = {
        vocab: { source: Vs, target: Vt }, pad: 0, bos: 2, eos: 3,
        src: Array.from({ length: B }, () => Array.from({ length: Ts }, () => rnd(Vs))),
        src_len: Array.from({ length: B }, () => 1 + rnd(Ts)),
        tgt_in: Array.from({ length: B }, () => Array.from({ length: Tt }, () => rnd(Vt))),
      };
      const r = validateModelInput(json, s2s) as Seq2SeqInput;
      expect(Array.from(r.src)).toEqual(json.src.flat());
      const bad = structuredClone(json);
      bad.src[B - 1]![Ts - 1] = Vs;
      expect(() => validateModelInput(bad, s2s)).toThrow(UserError);
    }), { numRuns: 100 });
  });
});
