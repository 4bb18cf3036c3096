/**
 * `forward` / `decode` on hostile input, with real weights (a tiny model trained in-process):
 *  - fast-check over IN.json documents (ragged arrays, ids out of range, negative or too long
 *    lengths, wrong vocabulary sizes, wrong types) through runForward/runDecode: a result of the
 *    right shape with finite numbers, or a UserError — nothing else, and no tensor left behind;
 *  - IN.json vocabulary sizes that disagree with the weights are refused before the module is built
 *    (vocab.target 2^24 used to allocate ~900 MB for 10 s before the shape error);
 *  - broken weights files (truncated, a 2^60 header length, a header longer than the file, lying
 *    offsets, wrong shapes, missing or extra tensors, empty, not safetensors): a UserError naming
 *    the file, never an allocation of what the header claims;
 *  - a few of each through the CLI: exit 1, one line, no stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { runDecode, runForward } from '../../src/train/run-forward.js';
import { runTraining } from '../../src/train/session.js';
import { createProgressReporter } from '../../src/train/progress.js';
import { readSafetensors, serializeSafetensors } from '../../src/runtime/node/index.js';
import { UserError } from '../../src/errors.js';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
let spec = '';
let weights = '';
let Vs = 0;
let Vt = 0;

beforeAll(async () => {
  root = makeTemp('forward');
  spec = path.join(root, 'tiny.yaml');
  fs.writeFileSync(spec, tinySeq2seqSpec({ hidden: 4 }));
  const reporter = createProgressReporter({ write: () => true, isTTY: false });
  await runTraining({ specPath: spec, out: path.join(root, 'run'), backend: 'wasm', reporter, epochs: 1 });
  weights = path.join(root, 'run', 'model.safetensors');
  const vocab = JSON.parse(fs.readFileSync(path.join(root, 'run', 'vocab.json'), 'utf8')) as Record<string, { tokens: string[] }>;
  Vs = vocab.source!.tokens.length;
  Vt = vocab.target!.tokens.length;
});
afterAll(() => removeTemp(root));

let n = 0;
function inputFile(doc: unknown): string {
  const file = path.join(root, `in-${n++}.json`);
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}
const good = () => ({ vocab: { source: Vs, target: Vt }, pad: 0, bos: 2, eos: 3, src: [[4, 5, 3], [6, 3, 0]], src_len: [3, 2], tgt_in: [[2, 4, 5], [2, 6, 0]] });

/** Runs forward or decode; returns 'ok' after checking the result, or the UserError's message. */
async function attempt(kind: 'forward' | 'decode', input: string, weightsFile = weights, flags = {}): Promise<string> {
  try {
    if (kind === 'forward') {
      const { logits } = await runForward({ specPath: spec, weights: weightsFile, input, backend: 'wasm' });
      const doc = JSON.parse(fs.readFileSync(input, 'utf8')) as { tgt_in: number[][] };
      expect(logits.length).toBe(doc.tgt_in.length);
      for (const row of logits) {
        expect(row.length).toBe(doc.tgt_in[0]!.length);
        for (const v of row) {
          expect(v.length).toBe(Vt);
          expect(v.every(Number.isFinite)).toBe(true);
        }
      }
    } else {
      const { results } = await runDecode({ specPath: spec, weights: weightsFile, input, backend: 'wasm', flags });
      for (const list of results) {
        for (const h of list) {
          expect(h.tokens.every((t) => Number.isInteger(t) && t >= 0 && t < Vt)).toBe(true);
          expect(Number.isFinite(h.score)).toBe(true);
        }
      }
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return e.message;
  }
}

/** A document being broken: loosely typed on purpose (mutations may remove or retype anything). */
type Doc = Record<string, any>;
/** A valid document: B sentences of T source ids and T' target ids, real lengths. */
const validDoc = fc.integer({ min: 1, max: 3 }).chain((B) => fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 })).chain(([T, U]) => fc.record({
  src: fc.array(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: T, maxLength: T }), { minLength: B, maxLength: B }),
  src_len: fc.array(fc.integer({ min: 1, max: T }), { minLength: B, maxLength: B }),
  tgt_in: fc.array(fc.array(fc.integer({ min: 0, max: 8 }), { minLength: U, maxLength: U }), { minLength: B, maxLength: B }),
})));
/** One way to break a document (applied to a copy). */
const mutation: fc.Arbitrary<(d: Doc) => void> = fc.oneof(
  fc.constantFrom(
    (d: Doc) => { d.src?.[0]?.push?.(4); },                       // ragged
    (d: Doc) => { d.tgt_in?.[0]?.pop?.(); },                      // ragged (or empty) target row
    (d: Doc) => { d.src_len[0] = -1; },                                     // negative length
    (d: Doc) => { d.src_len[0] = 0; },
    (d: Doc) => { d.src_len[0] = 99; },                                     // longer than the row
    (d: Doc) => { d.src_len?.pop?.(); },                                       // fewer lengths than rows
    (d: Doc) => { d.src_len = '3'; },
    (d: Doc) => { if (Array.isArray(d.src?.[0])) d.src[0][0] = -1; },                       // ids out of range
    (d: Doc) => { if (Array.isArray(d.src?.[0])) d.src[0][0] = 1e6; },
    (d: Doc) => { if (Array.isArray(d.tgt_in?.[0])) d.tgt_in[0][0] = 2 ** 31; },
    (d: Doc) => { if (Array.isArray(d.src?.[0])) d.src[0][0] = 1.5; },
    (d: Doc) => { if (Array.isArray(d.src?.[0])) d.src[0][0] = null; },
    (d: Doc) => { if (Array.isArray(d.src)) d.src[0] = null; },
    (d: Doc) => { d.src = []; },
    (d: Doc) => { d.tgt_in?.push?.([2]); },                                    // rows differ between src and tgt_in
    (d: Doc) => { delete d.tgt_in; },                                       // forward needs it, decode does not
    (d: Doc) => { d.bos = d.pad; },
    (d: Doc) => { d.eos = -3; },
    (d: Doc) => { d.vocab = { source: 0, target: 1 }; },
    (d: Doc) => { d.vocab = { source: '26', target: 26 }; },
    (d: Doc) => { d.vocab = { tokens: 26 }; },
    (d: Doc) => { d.extra = { nested: [1, 2, 3] }; },                       // unknown keys are only a note
  ),
  fc.integer({ min: -2, max: 2 ** 24 + 1 }).map((v) => (d: Doc) => { d.vocab = { ...d.vocab, target: v }; }),
);

describe('fuzzed IN.json through runForward / runDecode', () => {
  it('gives a well-shaped finite result or a UserError, and leaks no tensor', async () => {
    const outcomes = { ok: 0, refused: 0 };
    const before = tf.memory().numTensors;
    const kinds = fc.constantFrom('forward', 'decode') as fc.Arbitrary<'forward' | 'decode'>;
    await fc.assert(fc.asyncProperty(validDoc, fc.array(mutation, { maxLength: 2 }), kinds, async (valid, mutations, kind) => {
      const d = structuredClone({ vocab: { source: Vs, target: Vt }, pad: 0, bos: 2, eos: 3, ...valid }) as Doc;
      for (const m of mutations) m(d);
      const r = await attempt(kind, inputFile(d));
      outcomes[r === 'ok' ? 'ok' : 'refused']++;
      if (mutations.length === 0) expect(r).toBe('ok');
      else if (r !== 'ok') expect(r).toMatch(/in-\d+\.json: /);
      expect(tf.memory().numTensors).toBe(before);
    }), { numRuns: 150, seed: 20240611 });
    expect(outcomes.ok).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(50);
  });

  it('the well-formed input works for both', async () => {
    const file = inputFile(good());
    expect(await attempt('forward', file)).toBe('ok');
    expect(await attempt('decode', file, weights, { strategy: 'beam', beamSize: 3, nBest: 2 })).toBe('ok');
  });
});

describe('IN.json vocabulary sizes vs the weights', () => {
  it('a size the weights were not trained with is refused before the module is built', async () => {
    await attempt('forward', inputFile(good())); // warm the compile cache
    const t0 = performance.now();
    const bytes = tf.memory().numBytes;
    const message = await attempt('forward', inputFile({ ...good(), vocab: { source: Vs, target: 2 ** 24 } }));
    expect(message).toMatch(new RegExp(`in-\\d+\\.json: vocab\\.target is 16777216, but .*model\\.safetensors was trained with ${Vt} \\(\\S+ has shape \\[`));
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(tf.memory().numBytes).toBe(bytes);
    expect(await attempt('decode', inputFile({ ...good(), vocab: { source: Vs + 1, target: Vt } }))).toMatch(/vocab\.source is \d+, but .* was trained with/);
  });
});

describe('broken weights files', () => {
  function variant(name: string, bytes: Uint8Array): string {
    const file = path.join(root, name);
    fs.writeFileSync(file, bytes);
    return file;
  }
  function withHeader(header: unknown, data: Uint8Array, length?: bigint): Uint8Array {
    const json = Buffer.from(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  }

  it('each is a UserError naming the file', async () => {
    const original = fs.readFileSync(weights);
    const tensors = readSafetensors(weights).tensors;
    const names = Object.keys(tensors).sort();
    const plain = Object.fromEntries(names.map((k) => [k, { shape: tensors[k]!.shape, data: tensors[k]!.data as Float32Array }]));
    const headerLength = Number(new DataView(original.buffer, original.byteOffset, 8).getBigUint64(0, true));
    const header = JSON.parse(original.subarray(8, 8 + headerLength).toString()) as Record<string, { shape: number[]; data_offsets: number[] }>;
    const data = original.subarray(8 + headerLength);
    const first = names[0]!;
    const lying = { ...header, [first]: { ...header[first]!, shape: [1 << 30, 1 << 30] } };
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.safetensors', original.subarray(0, Math.floor(original.length * 0.6)), /out of bounds|truncated|belong to no tensor/],
      ['huge-header.safetensors', withHeader({}, new Uint8Array(16), 2n ** 60n), /header length 1152921504606846976 is larger than the file/],
      ['long-header.safetensors', withHeader(header, data, BigInt(original.length)), /larger than the file/],
      ['lying-shape.safetensors', withHeader(lying, data), /impossibly large|needs \d+ bytes, data_offsets give/],
      ['wrong-shape.safetensors', serializeSafetensors({ ...plain, [first]: { shape: [1, plain[first]!.data.length], data: plain[first]!.data } }), /has shape \[1, \d+\], expected/],
      ['missing.safetensors', serializeSafetensors(Object.fromEntries(names.slice(1).map((k) => [k, plain[k]!]))), /lacks tensors: /],
      ['extra.safetensors', serializeSafetensors({ ...plain, 'stray.weight': { shape: [2], data: new Float32Array(2) } }), /tensors this model does not have: stray\.weight/],
      ['empty.safetensors', new Uint8Array(0), /too short for a safetensors file/],
      ['json.safetensors', Buffer.from('{"not": "safetensors"}'), /header length \d+ is larger than the file|not a safetensors/],
    ];
    const input = inputFile(good());
    for (const [name, bytes, expected] of cases) {
      const file = variant(name, bytes);
      const message = await attempt('forward', input, file);
      expect(message, name).toMatch(expected);
      expect(message, name).toContain(name);
    }
  });
});

describe.skipIf(!BUILT)('through the CLI', () => {
  it('ragged src, a negative length, an id out of range, a 2^60 header, a truncated checkpoint: one clear line each', () => {
    const cli = (args: string[]) => seqloom(args, root);
    const weightsArg = path.join('run', 'model.safetensors');
    const cases: [string[], RegExp][] = [
      [['forward', 'tiny.yaml', '--weights', weightsArg, '--input', inputFile({ ...good(), src: [[4, 5, 3], [6]] })], /src\[1\]: has 1 ids but src\[0\] has 3/],
      [['decode', 'tiny.yaml', '--weights', weightsArg, '--input', inputFile({ ...good(), src_len: [3, -1] })], /src_len\[1\]: length -1 must be between 1/],
      [['decode', 'tiny.yaml', '--weights', weightsArg, '--input', inputFile({ ...good(), src: [[4, 5, 999], [6, 3, 0]] })], /src\[0\]\[2\]: id 999 is out of range/],
      [['forward', 'tiny.yaml', '--weights', 'huge-header.safetensors', '--input', inputFile(good())], /huge-header\.safetensors: header length 1152921504606846976/],
    ];
    for (const [args, expected] of cases) {
      const r = cli(args);
      expectCleanError(r);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(expected);
    }
    fs.cpSync(path.join(root, 'run'), path.join(root, 'cut'), { recursive: true });
    const model = path.join(root, 'cut', 'model.safetensors');
    fs.truncateSync(model, Math.floor(fs.statSync(model).size / 2));
    const r = cli(['translate', 'cut', 'one']);
    expectCleanError(r);
    expect(r.stderr).toMatch(/cut\/model\.safetensors does not match meta\.json/);
  });
});
