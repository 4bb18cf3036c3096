/**
 * What each performance lever buys: the generated module's training step with the lever on vs off,
 * interleaved in one process (ratio = off time / on time, > 1: the lever pays). Levers that can be
 * switched at run time:
 *   recurrence  fused recurrence kernels (backend/recurrent-*.ts) vs the op-by-op BPTT
 *   optimizer   fused global norm + Adam update (nn/fused-adam.ts) vs tfjs Adam and op-by-op norm
 *   loss        fused softmax cross-entropy (backend/loss-kernels.ts) vs logSoftmax + one-hot
 *   simd        wasm: the recurrences' per-step gate math in seqloom's WebAssembly SIMD module
 *               (backend/simd/kernels.c) vs the same kernels' JavaScript loops
 *   compact     wasm SIMD recurrences multiply only the rows still within their length at each step
 *               (rows sorted by length inside the kernel) vs every row
 *   padding     recurrences' input projections only for the (step, row) pairs within a length
 *               (from ~16 M skipped multiply-adds; below that the gathers cost more) vs every row
 *   rows        the output layer and the loss on valid target tokens only (nn/loss.ts
 *               maskedDenseCrossEntropy) vs on every position, padding included
 *   blas        wasm products on the system BLAS (runtime/node/blas; SEQLOOM_BLAS) vs XNNPACK
 *   blas-threads  the system BLAS on all its threads vs one
 *   parts       recurrent inputs as parts (codegen/ir/folds.ts: repeated context projected once per
 *               sentence, embeddings through projected tables) vs the concatenation as written
 */
import * as tf from '@tensorflow/tfjs';
import { loadGeneratedModule } from '../../src/compile/index.js';
import { initBackend, type BackendName } from '../../src/runtime/node/index.js';
import type { Seq2SeqModule } from '../../src/runtime/module.js';
import { setFusedOptimizer } from '../../src/runtime/nn/fused-adam.js';
import { setFusedLoss, setValidRowsLoss } from '../../src/runtime/nn/loss.js';
import { setSimdKernels } from '../../src/runtime/backend/simd/loader.js';
import { installedProducts, setSystemProducts } from '../../src/runtime/backend/products.js';
import type { LoadedBlas } from '../../src/runtime/node/blas/koffi-blas.js';
import { setCompactRows } from '../../src/runtime/backend/simd/recurrent.js';
import { setInputParts, setProjectValidRows } from '../../src/runtime/nn/recurrent.js';
import { setFusedRecurrence } from '../../src/runtime/nn/sequence.js';
import { createOptimizer } from '../../src/runtime/nn/train.js';
import { disposeBatch, seq2seqTensors } from '../../src/train/batch-tensors.js';
import { interleave, round } from '../measure.js';
import { SIZES, syntheticBatches, type BenchSize } from '../synthetic.js';
import { THROUGHPUT_SPECS, type ThroughputPlan } from './train-vs-layers.js';

/** The system BLAS's own thread count (taken before the lever first changes it). */
let fullThreads: number | null = null;

function setBlasThreads(on: boolean): void {
  const lib = installedProducts() as LoadedBlas | null;
  if (lib === null) return;
  fullThreads ??= lib.threads;
  lib.setThreads(on ? fullThreads : 1);
}

export const LEVERS: Record<string, (on: boolean) => void> = {
  blas: setSystemProducts,
  'blas-threads': setBlasThreads,
  recurrence: setFusedRecurrence,
  optimizer: setFusedOptimizer,
  loss: setFusedLoss,
  simd: setSimdKernels,
  compact: setCompactRows,
  padding: (on: boolean) => setProjectValidRows(on),
  parts: setInputParts,
  rows: setValidRowsLoss,
};

export interface LeverResult { lever: string; backend: BackendName; size: BenchSize['name']; onSeconds: number; offSeconds: number; ratio: number }

export async function measureLever(
  lever: string, backend: BackendName, sizeName: BenchSize['name'], plan: ThroughputPlan,
  onRound?: (done: number, total: number) => void,
): Promise<LeverResult> {
  const set = LEVERS[lever];
  if (set === undefined) throw new Error(`unknown lever ${lever}`);
  await initBackend(backend);
  const size = SIZES[sizeName];
  const { ModuleClass } = await loadGeneratedModule(THROUGHPUT_SPECS.gru[sizeName]);
  const module = new ModuleClass({ vocab: { source: size.vocab, target: size.vocab }, seed: 0 }) as Seq2SeqModule;
  const optimizer = createOptimizer({ name: 'adam', lr: 0.005 });
  const batches = syntheticBatches(size, 4, 99);
  let i = 0;
  const step = (on: boolean): number => {
    set(on);
    const tensors = seq2seqTensors(batches[i++ % batches.length]!);
    try {
      return module.trainStep(tensors, optimizer, 1).tokens;
    } finally {
      disposeBatch(tensors);
    }
  };
  try {
    const r = await interleave([{ name: 'on', run: () => step(true) }, { name: 'off', run: () => step(false) }], plan.rounds, plan.warmup, onRound);
    const [on, off] = r.sides as [typeof r.sides[0], typeof r.sides[0]];
    return { lever, backend, size: sizeName, onSeconds: round(on.median, 4), offSeconds: round(off.median, 4), ratio: round(off.median / on.median, 2) };
  } finally {
    set(true);
    module.dispose();
    optimizer.dispose();
    tf.disposeVariables();
  }
}
