/**
 * The PyTorch side of every comparison, at its fastest configuration: Debian's python3-torch runs
 * on whatever libblas.so.3 is selected, and its speed depends on two thread counts — torch's own
 * (intra-op, OpenMP) and OpenBLAS's (OPENBLAS_NUM_THREADS) — that oversubscribe a small machine
 * when both are high. Each comparison tries every configuration in TORCH_CONFIGS ({1,2}², torch
 * threads × BLAS threads) and compares seqloom against the fastest one.
 *
 * A ratio against the reference BLAS (libblas3, the Debian default when no optimized BLAS is
 * installed) would flatter seqloom 4–25×: the worker reports the BLAS files mapped into it after a
 * product, and `checkBlas` refuses a ratio unless they are an optimized BLAS.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostSeq2SeqBatch } from '../src/train/batch-tensors.js';
import { LineWorker } from './line-worker.js';

export const PYTHON = '/usr/bin/python3';

export interface TorchConfig { torchThreads: number; blasThreads: number }

export const TORCH_CONFIGS: TorchConfig[] = [
  { torchThreads: 1, blasThreads: 1 }, { torchThreads: 1, blasThreads: 2 },
  { torchThreads: 2, blasThreads: 1 }, { torchThreads: 2, blasThreads: 2 },
];

export function configName(c: TorchConfig): string {
  return `torch ${c.torchThreads}t × BLAS ${c.blasThreads}t`;
}

/** The environment a PyTorch process runs under for a configuration. */
export function torchEnv(c: TorchConfig): NodeJS.ProcessEnv {
  return {
    ...process.env, OPENBLAS_NUM_THREADS: String(c.blasThreads), OMP_NUM_THREADS: String(c.torchThreads),
    MKL_NUM_THREADS: String(c.blasThreads), BLIS_NUM_THREADS: String(c.blasThreads),
  };
}

/** The baseline script's path. */
export function torchScript(packageRoot: string): string {
  return join(packageRoot, 'bench', 'baselines', 'd2l_seq2seq.py');
}

/** What a worker's ready line (or a whole run's last line) says about its BLAS. */
export interface BlasReport { blas?: unknown; blas_files?: unknown }

/** Throws unless PyTorch's products run on an optimized BLAS (OpenBLAS, MKL, BLIS). */
export function checkBlas(report: BlasReport): string {
  const kind = String(report.blas ?? 'unknown');
  const files = Array.isArray(report.blas_files) ? report.blas_files.join(', ') : '';
  if (!['openblas', 'mkl', 'blis'].includes(kind)) {
    throw new Error(`PyTorch runs its products on ${kind === 'reference' ? 'the reference BLAS' : 'an unknown BLAS'} (${files || 'no BLAS file mapped'}): ` +
      'no ratio is printed against it. Install OpenBLAS (apt-get install -y libopenblas0-pthread) and check ' +
      '`update-alternatives --display libblas.so.3-x86_64-linux-gnu`.');
  }
  return `${kind} (${files})`;
}

/** Writes batches for the worker's --batches mode (plain JSON: a few MB at most). */
export function writeBatches(file: string, batches: HostSeq2SeqBatch[]): void {
  writeFileSync(file, JSON.stringify({
    batches: batches.map((b) => ({
      batch: b.batch, srcT: b.srcT, tgtT: b.tgtT,
      src: Array.from(b.src), srcLen: Array.from(b.srcLen), tgtIn: Array.from(b.tgtIn), tgtOut: Array.from(b.tgtOut), tgtLen: Array.from(b.tgtLen),
    })),
  }));
}

export interface TorchModelArgs {
  model: 'seq2seq' | 'attention'; cell: 'gru' | 'lstm'; embed: number; hidden: number; layers: number;
  srcVocab: number; tgtVocab: number;
}

/** A PyTorch worker training on the batches in `file` under configuration `c`. */
export function stepsWorker(packageRoot: string, file: string, m: TorchModelArgs, c: TorchConfig): LineWorker {
  return new LineWorker(configName(c), PYTHON, [
    torchScript(packageRoot), '--batches', file, '--threads', String(c.torchThreads),
    '--model', m.model, '--cell', m.cell, '--embed', String(m.embed), '--hidden', String(m.hidden),
    '--layers', String(m.layers), '--src-vocab', String(m.srcVocab), '--tgt-vocab', String(m.tgtVocab),
  ], torchEnv(c));
}
