/**
 * `seqloom export CKPT --web DIR` through the real CLI: the site's files; DIR that is a file, sits
 * under a file, or is a non-empty folder holding something else is a clear error and nothing there
 * changes; an earlier export is replaced; a checkpoint that is not one is the CLI's usual error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from '../reliability/helpers.js';

describe.skipIf(!BUILT)('seqloom export --web (CLI)', () => {
  let tmp = '';
  let ckpt = '';

  beforeAll(() => {
    tmp = makeTemp('web-export');
    fs.writeFileSync(path.join(tmp, 'tiny.yaml'), tinySeq2seqSpec());
    ckpt = path.join(tmp, 'ckpt');
    const r = seqloom(['train', 'tiny.yaml', '--out', ckpt, '--quiet', '--show', '0'], tmp);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(() => removeTemp(tmp));

  it('writes index.html, one bundle, the wasm binaries, model.safetensors and vocab.json; prints DIR', () => {
    const site = path.join(tmp, 'site');
    const r = seqloom(['export', ckpt, '--web', site], tmp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${site}\n`);
    expect(fs.readdirSync(site).sort()).toEqual([
      'index.html', 'model.safetensors', 'seqloom.js', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm',
      'tfjs-backend-wasm.wasm', 'vocab.json',
    ]);
    expect(fs.readFileSync(path.join(site, 'model.safetensors'))).toEqual(fs.readFileSync(path.join(ckpt, 'model.safetensors')));
    const html = fs.readFileSync(path.join(site, 'index.html'), 'utf8');
    expect(html).toMatch(/<script src="seqloom\.js">/);
    expect(html).not.toMatch(/https?:\/\//); // offline: nothing from a CDN
    expect(r.stderr).toMatch(/site: .* of page and runtime, .* of weights/);
    // Exporting again replaces the earlier export.
    fs.writeFileSync(path.join(site, 'seqloom.js'), 'stale');
    expect(seqloom(['export', ckpt, '--web', site], tmp).code).toBe(0);
    expect(fs.readFileSync(path.join(site, 'seqloom.js'), 'utf8')).not.toBe('stale');
  }, 120_000);

  it('a DIR that is a file, lies under a file, or holds other files: one clear error, nothing changed', () => {
    const file = path.join(tmp, 'notes.txt');
    fs.writeFileSync(file, 'keep me');
    const other = path.join(tmp, 'photos');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'index.html'), '<p>my own page</p>');
    fs.writeFileSync(path.join(other, 'cat.jpg'), 'jpeg');
    const cases: [string, RegExp][] = [
      [file, /notes\.txt is a file, not a folder; nothing was written/],
      [path.join(file, 'site'), /cannot use .*notes\.txt\/site for the site \(ENOTDIR\)/],
      [other, /photos is not empty and holds no seqloom web export; nothing was written/],
    ];
    for (const [dir, message] of cases) {
      const r = seqloom(['export', ckpt, '--web', dir], tmp);
      expectCleanError(r);
      expect(r.stderr).toMatch(message);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    expect(fs.readdirSync(other).sort()).toEqual(['cat.jpg', 'index.html']);
    expect(fs.readFileSync(path.join(other, 'index.html'), 'utf8')).toBe('<p>my own page</p>');
  }, 120_000);

  it('a folder that is not a checkpoint, or --web missing: the usual clear errors', () => {
    const r = seqloom(['export', tmp, '--web', path.join(tmp, 'x')], tmp);
    expectCleanError(r);
    expect(r.stderr).toMatch(/meta\.json is missing/);
    expect(fs.existsSync(path.join(tmp, 'x'))).toBe(false);
    const missing = seqloom(['export', ckpt], tmp);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--web <dir>/);
  }, 60_000);
});
