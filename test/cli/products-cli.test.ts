/**
 * Through the built binary: `seqloom doctor` says which library multiplies matrices, and a missing
 * or broken SEQLOOM_BLAS library never stops a command — one note on stderr, XNNPACK runs, the
 * startup line says so (issue 15 part 5). Skips when the CLI has not been built.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithSystem, nodeKoffi, systemOpenblas } from '../helpers/system.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin', 'seqloom.js');
const built = fs.existsSync(path.join(repo, 'dist', 'src', 'cli', 'main.js'));
let root = '';

function seqloom(args: string[], blas: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root, encoding: 'utf8', env: { ...process.env, SEQLOOM_BACKEND: 'wasm', SEQLOOM_BLAS: blas }, timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const notes = (stderr: string) => stderr.split('\n').filter((l) => l.includes('SEQLOOM_BLAS='));

describeWithSystem(nodeKoffi(), 'a missing or broken system BLAS', () => {
  beforeAll(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-products-')); });
  afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it.skipIf(!built).each([
    ['a missing file', () => path.join(root, 'missing.so'), /cannot load/],
    ['a library without cblas_sgemm', () => 'libc.so.6', /has no cblas_sgemm/],
  ])('%s: train runs on XNNPACK with exactly one note', (_name, blas, why) => {
    const asked = blas();
    const r = seqloom(['train', path.join(repo, 'models', 'numbers-gru.yaml'), '--epochs', '1', '--out', path.join(root, 'run'), '--overwrite'], asked);
    expect(r.code, r.stderr).toBe(0);
    expect(notes(r.stderr)).toHaveLength(1);
    expect(notes(r.stderr)[0]).toMatch(why);
    expect(r.stderr).toMatch(/backend wasm \(products: XNNPACK \(tfjs-backend-wasm\), 1 thread\)/);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it.skipIf(!built)('doctor reports it too, and exits 0', () => {
    const r = seqloom(['doctor'], path.join(root, 'missing.so'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^products\s+XNNPACK/m);
    expect(r.stdout).toMatch(/not used: .*missing\.so: cannot load/);
  });

  it.skipIf(!built)('SEQLOOM_BLAS=off: XNNPACK, no note', () => {
    const r = seqloom(['doctor', '--json'], 'off');
    expect(r.code, r.stderr).toBe(0);
    expect(notes(r.stderr)).toHaveLength(0);
    const report = JSON.parse(r.stdout) as { products: { library: string; request: string; path: string | null } };
    expect(report.products).toMatchObject({ request: 'off', path: null });
    expect(report.products.library).toMatch(/^XNNPACK/);
  });
});

describeWithSystem([systemOpenblas(), nodeKoffi()], 'seqloom doctor with OpenBLAS installed', () => {
  beforeAll(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-products-')); });
  afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

  it.skipIf(!built)('names OpenBLAS, its threads and the file it loaded', () => {
    const r = seqloom(['doctor', '--json'], 'auto');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { backend: { name: string }; products: { library: string; threads: number; path: string } };
    expect(report.backend.name).toBe('wasm');
    expect(report.products.library).toMatch(/^OpenBLAS \d+\.\d+\.\d+.*, \d threads?$/);
    expect(report.products.threads).toBeGreaterThanOrEqual(1);
    expect(report.products.path).toMatch(/openblas/);
  });
});
