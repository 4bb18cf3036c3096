/**
 * Exact resume with dropout through the CLI's session and a real generated module: 2 epochs, then
 * `--resume` to 4, gives bit-for-bit the weights of 4 epochs in one go — the dropout masks after the
 * resume continue from the generator state saved in meta.json (GeneratedModule.rngState). The control
 * drops that state from meta.json and must end elsewhere, so the test can tell. On cpu and wasm.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTraining } from '../../src/train/session.js';
import { readSafetensors } from '../../src/runtime/node/index.js';
import { rewriteExample, silentReporter, tempDir } from './helpers.js';

const root = tempDir('resume');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const spec = path.join(root, 'numbers-dropout.yaml');
fs.writeFileSync(spec, rewriteExample('numbers-gru.yaml', [
  ['valid_fraction: 0.1 ', 'limit: 100\n  valid_fraction: 0.1 '],
  ['hidden: 64, layers: 2 }', 'hidden: 16, layers: 2, dropout: 0.1 }'],
  ['hidden: 64, layers: 2, init', 'hidden: 16, layers: 2, dropout: 0.1, init'],
  ['batch_size: 64 ', 'batch_size: 32 '],
]));

const weights = (dir: string): Record<string, number[]> => Object.fromEntries(
  Object.entries(readSafetensors(path.join(dir, 'model.safetensors')).tensors).map(([k, t]) => [k, Array.from(t.data as Float32Array)]));

async function train(out: string, backend: string, epochs: number, resume = false): Promise<string[]> {
  const reporter = silentReporter();
  await runTraining({ specPath: spec, out, backend, epochs, resume, reporter, show: 0 });
  return reporter.lines;
}

describe.each(['cpu', 'wasm'])('train --resume with dropout 0.1 (%s)', (backend) => {
  it('2 epochs + resume to 4 == 4 epochs in one go, bit for bit', async () => {
    const straight = path.join(root, `${backend}-straight`);
    const split = path.join(root, `${backend}-split`);
    await train(straight, backend, 4);
    await train(split, backend, 2);
    const meta = JSON.parse(fs.readFileSync(path.join(split, 'meta.json'), 'utf8')) as { module_rng: number[] | null };
    expect(meta.module_rng).toEqual(expect.arrayContaining([expect.any(Number)]));
    const notes = await train(split, backend, 4, true);
    expect(notes.join('')).not.toMatch(/dropout masks after the resume differ/);
    expect(weights(split)).toEqual(weights(straight));
  });

  it('control: without the saved generator state the resumed run ends elsewhere', async () => {
    const split = path.join(root, `${backend}-norng`);
    await train(split, backend, 2);
    const metaPath = path.join(split, 'meta.json');
    const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as { module_rng: number[] | null };
    meta.module_rng = null;
    fs.writeFileSync(metaPath, JSON.stringify(meta));
    const notes = await train(split, backend, 4, true);
    expect(notes.join('')).toMatch(/dropout masks after the resume differ/);
    expect(weights(split)).not.toEqual(weights(path.join(root, `${backend}-straight`)));
  });
});
