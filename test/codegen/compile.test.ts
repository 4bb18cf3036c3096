/**
 * src/compile: the one path from a spec to a running module. Cached by the spec's hash (a second
 * load imports the cached file; a changed spec gets a new entry), spec errors become a UserError
 * showing the diagnostics, and transpiling rewrites only the two import declarations.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGeneratedModule } from '../../src/compile/index.js';
import { transpileGenerated } from '../../src/compile/transpile.js';
import { pruneCache } from '../../src/compile/cache.js';
import { UserError } from '../../src/errors.js';
import { REPO } from './helpers.js';

const saved = process.env['SEQLOOM_CACHE_DIR'];
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'seqloom-compile-'));
  process.env['SEQLOOM_CACHE_DIR'] = path.join(work, 'cache');
});
afterAll(() => {
  if (saved === undefined) delete process.env['SEQLOOM_CACHE_DIR'];
  else process.env['SEQLOOM_CACHE_DIR'] = saved;
});

describe('loadGeneratedModule', () => {
  it('compiles once, then imports from the cache; a changed spec is a new entry', async () => {
    const spec = path.join(work, 'gru.yaml');
    copyFileSync(path.join(REPO, 'models/d2l-seq2seq-gru.yaml'), spec);
    const first = await loadGeneratedModule(spec);
    expect(first.fromCache).toBe(false);
    expect(first.path.startsWith(path.join(work, 'cache'))).toBe(true);
    expect(first.ModuleClass.specName).toBe('d2l-seq2seq-gru');
    expect(first.ModuleClass.task).toBe('seq2seq');
    expect(first.spec.name).toBe('d2l-seq2seq-gru');
    const second = await loadGeneratedModule(spec);
    expect(second.fromCache).toBe(true);
    expect(second.path).toBe(first.path);
    writeFileSync(spec, `${readFileSync(spec, 'utf8')}\n# one more comment\n`);
    const third = await loadGeneratedModule(spec);
    expect(third.fromCache).toBe(false);
    expect(third.path).not.toBe(first.path);
    const js = readFileSync(third.path, 'utf8');
    expect(js).not.toContain("'seqloom/runtime'");
    expect(js).not.toContain("'@tensorflow/tfjs'");
  });

  it('turns spec errors into a UserError that shows the diagnostics', async () => {
    const spec = path.join(work, 'bad.yaml');
    const text = readFileSync(path.join(REPO, 'models/d2l-seq2seq-gru.yaml'), 'utf8').replace('input: dec_in', 'input: dec_inn');
    writeFileSync(spec, text);
    const error = await loadGeneratedModule(spec).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/error\[G001\]/);
    expect((error as UserError).message).toContain('dec_inn');
    expect((error as UserError).message.split('\n')[0]).toBe(`${spec}: the spec has 1 error`);
  });

  it('says in one line that a spec file cannot be read', async () => {
    const spec = path.join(work, 'missing.yaml');
    const error = await loadGeneratedModule(spec).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`${spec}: cannot read the spec file: no such file`);
    expect((error as UserError).hint).toBeUndefined();
  });
});

describe('transpileGenerated', () => {
  it('rewrites the module specifiers of import declarations and nothing else', () => {
    const source = [
      "import * as tf from '@tensorflow/tfjs';",
      "import { dense, type ParamMap } from 'seqloom/runtime';",
      "export const names: string[] = ['seqloom/runtime', '@tensorflow/tfjs'];",
      'export const p: ParamMap | null = null;',
      'export default function f(x: tf.Tensor): tf.Tensor { return dense({}, x); }',
    ].join('\n');
    const js = transpileGenerated(source, 'x.ts', { runtime: '/abs/runtime/index.js', tfjs: '/abs/tfjs/tf.node.js' });
    expect(js).toContain('from "/abs/tfjs/tf.node.js"');
    expect(js).toContain('from "/abs/runtime/index.js"');
    expect(js).toContain("['seqloom/runtime', '@tensorflow/tfjs']");
    expect(js).not.toContain('ParamMap');
    expect(js).not.toMatch(/: tf\.Tensor/);
  });
});

describe('pruneCache', () => {
  it('keeps the most recently written modules', () => {
    const dir = path.join(work, 'prune');
    mkdirSync(dir);
    for (let i = 0; i < 5; i++) {
      const file = path.join(dir, `m${i}.mjs`);
      writeFileSync(file, '');
      utimesSync(file, 1000 + i, 1000 + i);
    }
    writeFileSync(path.join(dir, 'other.txt'), '');
    pruneCache(dir, 2);
    expect(readdirSync(dir).sort()).toEqual(['m3.mjs', 'm4.mjs', 'other.txt']);
  });
});
