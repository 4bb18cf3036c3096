/**
 * Resource bounds on decoding. A very wide beam: the search keeps more live hypotheses than a
 * JavaScript call can take arguments (it spread them into `push(...)`, "Maximum call stack size
 * exceeded" from ~120k; a uniform model keeps that test fast: every expansion ties, so no list
 * insertion shifts). And searches that would run for hours or exhaust memory (`--max-len 1e9`,
 * `--beam 5e7` used to hang) are refused up front with the flag to change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { MAX_BEAM_SIZE, MAX_DECODE_LEN, decodeMemory, guardDecode } from '../../src/guard/decode.js';
import { UserError } from '../../src/errors.js';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinyLmSpec, tinySeq2seqSpec } from './helpers.js';
import { useBackend } from '../../src/runtime/backend/index.js';
import { beamSearch, type SearchModel } from '../../src/runtime/search/index.js';

const PAD = 0, BOS = 1, EOS = 2, V = 8;

/** log-probs: 5 ordinary tokens equally likely, never pad/bos/eos; the state is one number per row. */
function uniformModel(): SearchModel<tf.Tensor2D> & { rows: number[] } {
  const rows: number[] = [];
  const row = Array.from({ length: V }, (_, v) => (v <= EOS ? -Infinity : Math.log(1 / (V - 3))));
  return {
    rows,
    step(tokens, state) {
      rows.push(tokens.shape[0]);
      return { logProbs: tf.tidy(() => tf.tile(tf.tensor2d([row]), [tokens.shape[0], 1])) as tf.Tensor2D, state: state.clone() };
    },
    select: (state, picked) => tf.gather(state, picked) as tf.Tensor2D,
    dispose: (state) => state.dispose(),
  };
}

beforeAll(async () => {
  await useBackend('cpu');
});

describe('a beam wider than a call stack', () => {
  it('keeps 150k live hypotheses without a stack overflow', () => {
    const model = uniformModel();
    const init = tf.zeros([1, 1]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const [list] = beamSearch(model, init, { batch: 1, beamSize: 150_000, lengthPenalty: 0, nBest: 2, bos: BOS, eos: EOS, pad: PAD, maxLen: 9 });
    init.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    expect(list!.map((h) => h.tokens.length)).toEqual([9, 9]);
    expect(Math.max(...model.rows)).toBe(150_000);
  });
});

const GiB = 2 ** 30;
const probe = { freemem: () => 16 * GiB, totalmem: () => 32 * GiB, heapLimit: () => 4 * GiB, heapUsed: () => 0, constrained: () => undefined };
const beam = (beamSize: number, maxLen: number, batch = 1, vocab = 30) => ({ strategy: 'beam' as const, beamSize, maxLen, batch, vocab });

describe('guardDecode', () => {
  it('lets ordinary searches through', () => {
    expect(() => guardDecode(beam(4, 50, 64, 30_000), 'wasm', probe)).not.toThrow();
    expect(() => guardDecode({ strategy: 'greedy', beamSize: 1, maxLen: MAX_DECODE_LEN, batch: 1000, vocab: 50_000 }, 'cpu', probe)).not.toThrow();
  });

  it('refuses step counts and beam widths that would run for hours, naming the flag', () => {
    expect(() => guardDecode(beam(2, MAX_DECODE_LEN + 1), 'wasm', probe)).toThrow(/max length 10001 is over seqloom's limit of 10000/);
    expect(() => guardDecode(beam(MAX_BEAM_SIZE + 1, 10), 'wasm', probe)).toThrow(/beam size 10001 is over/);
    try {
      guardDecode(beam(MAX_BEAM_SIZE + 1, 10), 'wasm', probe);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).hint).toMatch(/--beam/);
    }
  });

  it('refuses a search whose memory estimate exceeds the backend budget', () => {
    const big = beam(5000, 200, 1000, 50_000);
    expect(decodeMemory(big)).toBeGreaterThan(4 * GiB);
    expect(() => guardDecode(big, 'wasm', probe)).toThrow(/needs about [\d.]+ TiB, more than the 4\.0 GiB available/);
  });
});

let root = '';
beforeAll(() => {
  root = makeTemp('decode');
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 4 }));
  fs.writeFileSync(path.join(root, 'lm.yaml'), tinyLmSpec());
  if (!BUILT) return;
  fs.writeFileSync(path.join(root, 'corpus.txt'), 'one two three four five six seven eight nine ten\n'.repeat(4));
  for (const [spec, data] of [['tiny', []], ['lm', ['--data', 'corpus.txt']]] as const) {
    const r = seqloom(['train', `${spec}.yaml`, '--out', `${spec}-run`, ...data], root);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(() => removeTemp(root));

describe.skipIf(!BUILT)('through the CLI: refused at once instead of hanging', () => {
  it('translate --max-len 1e9, --beam 5e7; decode --beam-size 5e7; sample --len 1e9', () => {
    const long = seqloom(['translate', 'tiny-run', 'one', '--max-len', '1000000000'], root);
    expectCleanError(long);
    expect(long.stderr).toMatch(/max length 1000000000 is over seqloom's limit/);
    expect(long.ms).toBeLessThan(30_000);

    const wide = seqloom(['translate', 'tiny-run', 'one', '--beam', '50000000'], root);
    expectCleanError(wide);
    expect(wide.stderr).toMatch(/beam size 50000000 is over/);

    const vocab = JSON.parse(fs.readFileSync(path.join(root, 'tiny-run', 'vocab.json'), 'utf8')) as Record<string, { tokens: string[] }>;
    fs.writeFileSync(path.join(root, 'in.json'), JSON.stringify({
      vocab: { source: vocab.source!.tokens.length, target: vocab.target!.tokens.length }, pad: 0, bos: 2, eos: 3,
      src: [[4, 5, 3]], src_len: [3],
    }));
    const d = seqloom(['decode', 'tiny.yaml', '--weights', 'tiny-run/model.safetensors', '--input', 'in.json', '--beam-size', '50000000'], root);
    expectCleanError(d);
    expect(d.stderr).toMatch(/beam size 50000000 is over/);

    const sample = seqloom(['sample', 'lm-run', '--prefix', 'one', '--len', '1000000000'], root);
    expectCleanError(sample);
    expect(sample.stderr).toMatch(/--len 1000000000 is over seqloom's limit of 10000 tokens/);
    expect(seqloom(['sample', 'lm-run', '--prefix', 'one', '--len', '20'], root).code).toBe(0);
  });
});
