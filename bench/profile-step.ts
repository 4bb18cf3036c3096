/**
 * Where a training step's time goes, for the README and the issue's closing note (not a ratio: a
 * profile of one side):
 *
 *   node dist/bench/profile-step.js [--spec bench/specs/seq2seq-gru-large.yaml] [--steps 4]
 *                                   [--data fra.txt --batches N]   (real batches of the spec's data)
 *
 * Runs the generated module's trainStep on the wasm backend: the median plain step, then the same
 * steps under tf.profile (each kernel's wall time) with the system BLAS's sgemm timed from inside.
 * Prints the share of the step in BLAS products, in each kernel family, and outside kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { loadGeneratedModule } from '../src/compile/index.js';
import { installedProducts, setProductLibrary, type HeapGemm } from '../src/runtime/backend/products.js';
import { initBackend } from '../src/runtime/node/index.js';
import type { Seq2SeqModule } from '../src/runtime/module.js';
import { loadSeq2seqDataset } from '../src/runtime/data/load.js';
import { createOptimizer } from '../src/runtime/nn/train.js';
import { disposeBatch, isSeq2SeqHostBatch, seq2seqTensors, type HostSeq2SeqBatch } from '../src/train/batch-tensors.js';
import { seq2seqEpochs } from '../src/train/epoch-data.js';
import { dataSpecWith } from '../src/train/session-data.js';
import { median } from './measure.js';
import { SIZES, syntheticBatches } from './synthetic.js';

const opts = new Command()
  .option('--spec <file>', 'spec', 'bench/specs/seq2seq-gru-large.yaml')
  .option('--steps <n>', 'steps timed (plain and profiled)', '4')
  .option('--data <file>', "train on the spec's data from this file instead of synthetic large batches")
  .option('--batches <n>', 'batches of real data', '8')
  .parse().opts<{ spec: string; steps: string; data?: string; batches: string }>();

async function main(): Promise<void> {
  await initBackend('wasm');
  const { spec, ModuleClass } = await loadGeneratedModule(opts.spec);
  let batches: HostSeq2SeqBatch[];
  let vocab: { source: number; target: number };
  if (opts.data !== undefined) {
    const { data } = loadSeq2seqDataset(dataSpecWith(spec.data, opts.data));
    vocab = { source: data.srcVocab.size, target: data.tgtVocab.size };
    batches = [];
    for (const b of seq2seqEpochs(data, spec.train, 0).batches(0)) {
      if (batches.length === Number(opts.batches)) break;
      if (isSeq2SeqHostBatch(b)) batches.push(b);
    }
  } else {
    batches = syntheticBatches(SIZES.large, 4, 1234);
    vocab = { source: SIZES.large.vocab, target: SIZES.large.vocab };
  }
  const module = new ModuleClass({ vocab, seed: 0 }) as Seq2SeqModule;
  const optimizer = createOptimizer({ name: 'adam', lr: 0.005 });
  let i = 0;
  const step = () => {
    const t = seq2seqTensors(batches[i++ % batches.length]!);
    try { module.trainStep(t, optimizer, 1); } finally { disposeBatch(t); }
  };
  step();
  const steps = Number(opts.steps);
  const plain: number[] = [];
  for (let s = 0; s < steps; s++) { const t0 = performance.now(); step(); plain.push(performance.now() - t0); }

  const lib = installedProducts();
  let gemmMs = 0, gemmCalls = 0;
  if (lib !== null) {
    const gemm: HeapGemm = (...args) => { const t0 = performance.now(); lib.gemm(...args); gemmMs += performance.now() - t0; gemmCalls++; };
    setProductLibrary({ ...lib, gemm });
  }
  const byKernel = new Map<string, number>();
  let profiledMs = 0;
  for (let s = 0; s < steps; s++) {
    const t0 = performance.now();
    const info = await tf.profile(() => { step(); });
    profiledMs += performance.now() - t0;
    for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  }
  if (lib !== null) setProductLibrary(lib);
  const stepMs = median(plain);
  const kernelMs = [...byKernel.values()].reduce((a, b) => a + b, 0);
  const per = (ms: number) => ms / steps;
  const pct = (ms: number) => `${(100 * per(ms) / stepMs).toFixed(0)}%`;
  console.log(`${opts.spec}${opts.data !== undefined ? ` on ${opts.batches} batches of ${opts.data}` : ' (synthetic large batches)'}; products: ${lib === null ? 'XNNPACK' : `${lib.name}, ${lib.threads} threads`}`);
  console.log(`plain step (median of ${steps}): ${stepMs.toFixed(0)} ms; profiled step ${(profiledMs / steps).toFixed(0)} ms; kernels ${per(kernelMs).toFixed(0)} ms`);
  if (lib !== null) console.log(`system BLAS sgemm: ${per(gemmMs).toFixed(0)} ms per step (${pct(gemmMs)} of a plain step), ${Math.round(gemmCalls / steps)} calls`);
  for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 14)) {
    console.log(`  ${name.padEnd(28)} ${per(ms).toFixed(1).padStart(7)} ms  ${pct(ms).padStart(4)}`);
  }
  module.dispose();
  optimizer.dispose();
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
