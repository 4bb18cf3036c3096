/**
 * Loading a model without files (src/web): from bytes and from URLs, with the spec as YAML or as an
 * inference spec and the module as a class; translations equal the CLI path's (runTranslate) for
 * the same checkpoint; bad bytes get the CLI's errors; no tensors leak.
 */
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, readSafetensors, specHash } from '../../src/runtime/node/index.js';
import { loadGeneratedModule } from '../../src/compile/index.js';
import { runTranslate } from '../../src/train/run-inference.js';
import { inferenceSpec, loadModel } from '../../src/web/index.js';
import { loadModelFromSpec } from '../../src/web/node.js';
import { serveFolder, type StaticServer } from '../helpers/static-server.js';
import { BUILT, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from '../reliability/helpers.js';

const SENTENCES = ['twenty one', 'four thousand three hundred twelve', 'Ninety Nine', 'zwölf'];

describe.skipIf(!BUILT)('loadModel from bytes and URLs', () => {
  let tmp = '';
  let ckpt = '';
  let other = '';
  let server: StaticServer;
  const file = (dir: string, name: string) => new Uint8Array(fs.readFileSync(path.join(dir, name)));

  beforeAll(async () => {
    tmp = makeTemp('web-load');
    fs.writeFileSync(path.join(tmp, 'a.yaml'), tinySeq2seqSpec({ name: 'tiny-a' }));
    fs.writeFileSync(path.join(tmp, 'b.yaml'), tinySeq2seqSpec({ name: 'tiny-a', cell: 'lstm' }));
    ckpt = path.join(tmp, 'a');
    other = path.join(tmp, 'b');
    for (const [spec, out] of [['a.yaml', ckpt], ['b.yaml', other]]) {
      const r = seqloom(['train', spec!, '--out', out!, '--quiet', '--show', '0'], tmp);
      expect(r.code, r.stderr).toBe(0);
    }
    server = await serveFolder(tmp);
    await initBackend('wasm');
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    removeTemp(tmp);
  });

  it('from bytes (spec as YAML) and from URLs translate as the CLI does, beam and greedy; nothing leaks', async () => {
    const cli = await runTranslate({ checkpoint: ckpt, sentences: SENTENCES, flags: { beamSize: 2, nBest: 2 } });
    const before = tf.memory().numTensors;
    const fromBytes = await loadModelFromSpec({ weights: file(ckpt, 'model.safetensors'), vocab: file(ckpt, 'vocab.json'), spec: file(ckpt, 'spec.yaml') });
    expect(fromBytes.translate(SENTENCES, { beam: 2, nBest: 2 }).results).toEqual(cli.results);
    const fromUrls = await loadModelFromSpec({
      weights: `${server.url}a/model.safetensors`, vocab: new URL(`${server.url}a/vocab.json`), spec: fs.readFileSync(path.join(ckpt, 'spec.yaml'), 'utf8'),
    });
    const greedy = await runTranslate({ checkpoint: ckpt, sentences: SENTENCES, flags: { strategy: 'greedy' } });
    expect(fromUrls.translate(SENTENCES, { strategy: 'greedy' }).results).toEqual(greedy.results);
    fromBytes.dispose();
    fromUrls.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('takes an inference spec and the generated module class (what a page bundles)', async () => {
    const specText = fs.readFileSync(path.join(ckpt, 'spec.yaml'), 'utf8');
    const { spec, ModuleClass } = await loadGeneratedModule(path.join(ckpt, 'spec.yaml'));
    const json = JSON.parse(JSON.stringify(inferenceSpec(spec, specHash(specText)))) as unknown;
    const model = await loadModel({ weights: file(ckpt, 'model.safetensors'), vocab: JSON.parse(fs.readFileSync(path.join(ckpt, 'vocab.json'), 'utf8')) as Record<string, unknown>, spec: new TextEncoder().encode(JSON.stringify(json)), module: ModuleClass });
    const cli = await runTranslate({ checkpoint: ckpt, sentences: SENTENCES, flags: {} });
    expect(model.translate(SENTENCES).results).toEqual(cli.results);
    model.dispose();
  }, 60_000);

  it('bad bytes get the CLI\'s errors, named by the URL or the file name', async () => {
    const spec = file(ckpt, 'spec.yaml');
    const vocab = file(ckpt, 'vocab.json');
    const weights = file(ckpt, 'model.safetensors');
    const fail = (p: Promise<unknown>) => p.then(() => 'loaded', (e: Error) => e.message);
    // The same parser as the CLI's: the message after the file's name is the CLI's.
    const truncated = path.join(tmp, 'truncated.safetensors');
    fs.writeFileSync(truncated, weights.subarray(0, 200));
    const cliMessage = (() => { try { readSafetensors(truncated); return ''; } catch (e) { return (e as Error).message; } })();
    expect(cliMessage).toMatch(/truncated/);
    expect(await fail(loadModelFromSpec({ weights: weights.subarray(0, 200), vocab, spec }))).toBe(cliMessage.replace(truncated, 'model.safetensors'));
    expect(await fail(loadModelFromSpec({ weights: file(other, 'model.safetensors'), vocab, spec })))
      .toMatch(/^model\.safetensors: was saved for a different spec/);
    expect(await fail(loadModelFromSpec({ weights, vocab: new TextEncoder().encode('{"source": {"tokens": 3}}'), spec })))
      .toMatch(/^vocab\.json \(source\): expected an object \{"tokens": \[\.\.\.\]\}/);
    expect(await fail(loadModelFromSpec({ weights, vocab: new TextEncoder().encode('{not json'), spec }))).toMatch(/^vocab\.json: not valid JSON/);
    expect(await fail(loadModelFromSpec({ weights: `${server.url}a/nope.safetensors`, vocab, spec })))
      .toBe(`${server.url}a/nope.safetensors: cannot load (HTTP 404 Not Found)`);
    expect(await fail(loadModelFromSpec({ weights, vocab, spec: 'seqloom: 1\nname: x\n' }))).toMatch(/^spec\.yaml: the spec has \d+ error/);
  }, 60_000);
});
