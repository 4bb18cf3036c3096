/**
 * `seqloom doctor`: what runs here, for a user — the tfjs backend and its build, seqloom's SIMD
 * module, which library multiplies matrices and with how many threads, the BLAS it found (or
 * why not), and the versions involved. Cheap: it starts the backend, compiles nothing.
 */
import { createRequire } from 'node:module';
import { availableParallelism, cpus } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { describeProducts, installedProducts, productNote } from '../runtime/backend/products.js';
import { DEFAULT_MIN_MULTIPLY_ADDS } from '../runtime/backend/products.js';
import { simdKernelsFor } from '../runtime/backend/simd/loader.js';
import { installSystemProducts } from '../runtime/node/blas/index.js';
import { loadKoffi } from '../runtime/node/blas/koffi-blas.js';
import { startBackend } from './model-loader.js';

export interface DoctorReport {
  seqloom: string;
  node: string;
  platform: string;
  cpu: { model: string; cores: number };
  backend: { name: string; tfjs: string; wasmBuild: string | null };
  simdModule: string;
  products: { library: string; threads: number; path: string | null; request: string; floor: number | null; note: string | null;
    rejected: Array<{ path: string; why: string }> };
  versions: Record<string, string | null>;
}

function versionOf(pkg: string): string | null {
  try {
    return (createRequire(import.meta.url)(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

function koffiVersion(): string | null {
  const koffi = loadKoffi();
  return typeof koffi === 'string' ? null : (koffi as unknown as { version?: string }).version ?? null;
}

export async function doctorReport(backendChoice?: string): Promise<DoctorReport> {
  const backend = await startBackend(backendChoice);
  const status = installSystemProducts();                      // the decision the backend start made (or makes now)
  const lib = backend === 'wasm' ? installedProducts() : null;
  const env = tf.env();
  const wasmBuild = backend !== 'wasm' ? null
    : `${env.getBool('WASM_HAS_SIMD_SUPPORT') ? 'SIMD' : 'no SIMD'}, ${env.getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'threaded' : 'single-threaded'}`;
  return {
    seqloom: versionOf('seqloom') ?? '0.1.0',
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: { model: cpus()[0]?.model.trim() ?? 'unknown', cores: availableParallelism() },
    backend: { name: backend, tfjs: tf.version.tfjs, wasmBuild },
    simdModule: backend !== 'wasm' ? 'not used (wasm only)'
      : simdKernelsFor(tf.backend()) !== null ? 'loaded (recurrences, loss, Adam, transposes)' : 'not loaded (JavaScript loops)',
    products: {
      library: describeProducts(backend),
      threads: lib?.threads ?? 1,
      path: lib?.path ?? null,
      request: status.request,
      floor: lib === null ? null : DEFAULT_MIN_MULTIPLY_ADDS,
      note: productNote(),
      rejected: status.rejected,
    },
    versions: {
      '@tensorflow/tfjs': versionOf('@tensorflow/tfjs'),
      '@tensorflow/tfjs-backend-wasm': versionOf('@tensorflow/tfjs-backend-wasm'),
      '@tensorflow/tfjs-node': versionOf('@tensorflow/tfjs-node'),
      koffi: koffiVersion(),
    },
  };
}

export function renderDoctor(r: DoctorReport): string {
  const p = r.products;
  const lines = [
    `seqloom ${r.seqloom} on Node ${r.node} (${r.platform}), ${r.cpu.cores} cores: ${r.cpu.model}`,
    `backend       ${r.backend.name}${r.backend.wasmBuild === null ? '' : ` (tfjs ${r.backend.tfjs}, wasm build: ${r.backend.wasmBuild})`}`,
    `SIMD module   ${r.simdModule}`,
    `products      ${p.library}${p.path === null ? '' : ` — ${p.path}`}`,
  ];
  if (p.floor !== null) lines.push(`              products under ${p.floor} multiply-adds stay on XNNPACK`);
  lines.push(`SEQLOOM_BLAS  ${p.request}${p.request === 'auto' ? ' (OpenBLAS, MKL, BLIS or Accelerate when found)' : ''}`);
  for (const { path, why } of p.rejected) lines.push(`              not used: ${path}: ${why}`);
  if (p.note !== null && p.rejected.length === 0) lines.push(`note          ${p.note}`);
  if (r.backend.name === 'wasm' && p.path === null && p.request === 'auto') {
    lines.push('hint          training runs several times faster on a system BLAS: apt-get install -y libopenblas0-pthread');
  }
  lines.push(`versions      ${Object.entries(r.versions).map(([k, v]) => `${k} ${v ?? '(not installed)'}`).join(', ')}`);
  return lines.join('\n') + '\n';
}
