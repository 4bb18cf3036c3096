#!/usr/bin/env node
/**
 * Builds seqloom's WebAssembly SIMD kernels (src/runtime/backend/simd/kernels.c) and writes the
 * binary, base64, into src/runtime/backend/simd/kernels-wasm.generated.ts (committed: CI has no
 * clang). `npm run simd:build`; `node scripts/build-simd.mjs --out FILE` writes elsewhere (the
 * reproducibility test rebuilds into a temp dir and compares).
 *
 * Needs clang-14, wasm-ld-14 and llvm-objdump-14 on PATH. Fails unless the module keeps the
 * promise the kernels rely on — it writes only through the pointers it is given:
 *   - no data section (no static data), no start function, no table/elements;
 *   - one import, env.memory (tfjs's heap); exports are functions only;
 *   - no global.get/global.set in the code (so no shadow stack: `__stack_pointer` is never
 *     touched), no memory.grow, no calls outside the module. The linker's unused
 *     `__stack_pointer` global is then dropped, so the shipped module has no globals at all.
 * Custom sections (names, producers) are stripped: the output depends on the source and the
 * compiler version only.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = 'src/runtime/backend/simd/kernels.c';
const DEFAULT_OUT = 'src/runtime/backend/simd/kernels-wasm.generated.ts';
export const EXPORTS = [
  'copy_f32', 'fill_zero', 'add_f32', 'transpose_f32', 'col_sums_f32',
  'gather_rows', 'gather_transpose_f32', 'scatter_add_rows',
  'rnn_fwd', 'gru_fwd', 'lstm_fwd', 'rnn_bwd', 'gru_bwd', 'lstm_bwd',
  'exp_f32', 'sigmoid_f32', 'tanh_f32',
  'softmax_xent_fwd', 'softmax_xent_bwd', 'sum_squares_f32', 'adam_f32', 'transpose32',
];
const CFLAGS = ['--target=wasm32', '-O3', '-msimd128', '-nostdlib', '-ffreestanding', '-fno-builtin', '-Wall', '-Werror'];
const LDFLAGS = ['--no-entry', '--import-memory', '--strip-all', ...EXPORTS.map((f) => `--export=${f}`)];
export const BUILD_COMMAND = `clang-14 ${CFLAGS.join(' ')} -c ${SOURCE}; wasm-ld-14 ${LDFLAGS.slice(0, 3).join(' ')} --export=<each kernel>; scripts/build-simd.mjs checks and strips`;

function fail(message) {
  console.error(`build-simd: ${message}`);
  process.exit(1);
}

function uleb(bytes, at) {
  let result = 0, shift = 0, b;
  do {
    b = bytes[at++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, at];
}

/** [{ id, start, end }] of the module's sections (start: the payload's first byte). */
function sections(bytes) {
  if (bytes.readUInt32LE(0) !== 0x6d736100 || bytes.readUInt32LE(4) !== 1) fail('not a wasm module');
  const out = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = uleb(bytes, at + 1);
    out.push({ id, headerStart: at, start, end: start + size });
    at = start + size;
  }
  return out;
}

function name(bytes, at) {
  const [len, start] = uleb(bytes, at);
  return [bytes.subarray(start, start + len).toString('utf8'), start + len];
}

function check(bytes, disassembly) {
  const secs = sections(bytes);
  const allowed = new Set([1, 2, 3, 6, 7, 10]); // type, import, function, global, export, code
  for (const s of secs) if (!allowed.has(s.id)) fail(`unexpected section id ${s.id} (data, start, table, memory, … are not allowed)`);
  const imp = secs.find((s) => s.id === 2);
  if (imp === undefined) fail('no import section');
  let [count, at] = uleb(bytes, imp.start);
  if (count !== 1) fail(`expected one import, found ${count}`);
  let mod, field;
  [mod, at] = name(bytes, at);
  [field, at] = name(bytes, at);
  if (mod !== 'env' || field !== 'memory' || bytes[at] !== 0x02) fail(`the import must be env.memory, found ${mod}.${field}`);
  const exp = secs.find((s) => s.id === 7);
  [count, at] = uleb(bytes, exp.start);
  const names = [];
  for (let i = 0; i < count; i++) {
    let n;
    [n, at] = name(bytes, at);
    if (bytes[at] !== 0x00) fail(`export ${n} is not a function`);
    [, at] = uleb(bytes, at + 1);
    names.push(n);
  }
  if (names.slice().sort().join() !== EXPORTS.slice().sort().join()) fail(`exports ${names.join()} differ from ${EXPORTS.join()}`);
  for (const bad of ['global.get', 'global.set', 'memory.grow', 'call_indirect']) {
    if (disassembly.includes(bad)) fail(`the code uses ${bad}: it must not touch globals (the shadow stack), grow memory or call indirectly`);
  }
  return secs;
}

/** The module without its global section (checked unused above). */
function withoutGlobals(bytes, secs) {
  const g = secs.find((s) => s.id === 6);
  if (g === undefined) return bytes;
  return Buffer.concat([bytes.subarray(0, g.headerStart), bytes.subarray(g.end)]);
}

function generatedTs(bytes) {
  const b64 = bytes.toString('base64');
  const lines = [];
  for (let i = 0; i < b64.length; i += 100) lines.push(`  '${b64.slice(i, i + 100)}'`);
  return [
    '/**',
    ' * @generated by scripts/build-simd.mjs (`npm run simd:build`) from kernels.c — do not edit.',
    ` * ${BUILD_COMMAND}`,
    ` * ${bytes.length} bytes; sections: type, import (env.memory only), function, export, code.`,
    ' */',
    `export const KERNELS_WASM_BASE64 =\n${lines.join(' +\n')};`,
    '',
  ].join('\n');
}

function main() {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const out = path.resolve(ROOT, outIdx >= 0 ? args[outIdx + 1] : DEFAULT_OUT);
  const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-simd-'));
  try {
    const obj = path.join(dir, 'kernels.o');
    const wasm = path.join(dir, 'kernels.wasm');
    try {
      execFileSync('clang-14', [...CFLAGS, '-c', path.join(ROOT, SOURCE), '-o', obj], { stdio: 'inherit' });
      execFileSync('wasm-ld-14', [...LDFLAGS, obj, '-o', wasm], { stdio: 'inherit' });
    } catch (err) {
      fail(`compile/link failed: ${err.message}`);
    }
    const disassembly = execFileSync('llvm-objdump-14', ['-d', wasm], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const bytes = readFileSync(wasm);
    const stripped = withoutGlobals(bytes, check(bytes, disassembly));
    writeFileSync(out, generatedTs(stripped));
    console.log(`build-simd: ${path.relative(ROOT, out)} (${stripped.length} bytes)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
