/**
 * Training steps against PyTorch on the very same batches: the bench's large size (synthetic
 * batches: batch 64, 35 steps, 256 wide, 2 layers, vocab 1000; GRU and LSTM) and a real job (d2l's
 * Bahdanau model at 256 wide over the whole fra-eng file, its first batches of an epoch). seqloom's
 * side is the generated module's trainStep in this process (wasm, products on the system BLAS when
 * one is installed); PyTorch's is the d2l code (baselines/d2l_seq2seq.py --batches) in a worker per
 * thread configuration.
 *
 * 1. Probe: every PyTorch configuration and seqloom run `probeSteps` steps each, interleaved, after
 *    one warm-up step; the fastest PyTorch configuration is kept, the others closed.
 * 2. Compare: seqloom and that configuration take turns of `stepsPerTurn` steps (the order rotating),
 *    both walking the same batch list. Throughput = target tokens / wall seconds summed over turns;
 *    ratio = seqloom's tokens/s ÷ PyTorch's (> 1: seqloom is faster).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadGeneratedModule } from '../../src/compile/index.js';
import { describeProducts } from '../../src/runtime/backend/products.js';
import { initBackend } from '../../src/runtime/node/index.js';
import type { Seq2SeqModule } from '../../src/runtime/module.js';
import { createOptimizer } from '../../src/runtime/nn/train.js';
import { disposeBatch, hostBatchTokens, seq2seqTensors, type HostSeq2SeqBatch } from '../../src/train/batch-tensors.js';
import type { LineWorker } from '../line-worker.js';
import { round } from '../measure.js';
import { TORCH_CONFIGS, checkBlas, configName, stepsWorker, writeBatches, type TorchModelArgs } from '../torch-side.js';

export interface StepsPlan { probeSteps: number; turns: number; stepsPerTurn: number }

export interface StepsJob {
  name: string;
  spec: string;
  batches: HostSeq2SeqBatch[];
  torch: TorchModelArgs;
}

export interface StepsComparison {
  name: string;
  /** The library seqloom's products ran on, and PyTorch's BLAS. */
  seqloomProducts: string;
  torchBlas: string;
  /** Probe: seconds per step, by side. */
  probe: Record<string, number>;
  best: string;
  stepsPerSide: number;
  seqloom: { tokensPerSecond: number; stepSeconds: number };
  torch: { tokensPerSecond: number; stepSeconds: number };
  ratio: number;
}

export async function compareSteps(
  packageRoot: string, job: StepsJob, plan: StepsPlan, onTurn?: (done: number, total: number) => void,
): Promise<StepsComparison> {
  await initBackend('wasm');
  const { ModuleClass } = await loadGeneratedModule(job.spec);
  const module = new ModuleClass({ vocab: { source: job.torch.srcVocab, target: job.torch.tgtVocab }, seed: 0 }) as Seq2SeqModule;
  const optimizer = createOptimizer({ name: 'adam', lr: 0.005 });
  const dir = mkdtempSync(join(tmpdir(), 'seqloom-bench-'));
  const file = join(dir, 'batches.json');
  writeBatches(file, job.batches);
  let workers: LineWorker[] = TORCH_CONFIGS.map((c) => stepsWorker(packageRoot, file, job.torch, c));
  let next = 0;
  const seqloomSteps = (k: number): number => {
    let tokens = 0;
    for (let s = 0; s < k; s++) {
      const host = job.batches[next++ % job.batches.length]!;
      const t = seq2seqTensors(host);
      try {
        module.trainStep(t, optimizer, 1);
        tokens += hostBatchTokens(host);
      } finally {
        disposeBatch(t);
      }
    }
    return tokens;
  };
  const timed = async (f: () => Promise<number> | number): Promise<[number, number]> => {
    const t0 = performance.now();
    const tokens = await f();
    return [(performance.now() - t0) / 1000, tokens];
  };
  const torchSteps = async (w: LineWorker, k: number): Promise<number> => Number((await w.send(`steps ${k}`)).tokens);
  try {
    const ready = await Promise.all(workers.map((w) => w.ready()));
    const torchBlas = checkBlas(ready[0]!);
    ready.forEach((r) => checkBlas(r));
    // 1. probe, after one warm-up step per side
    seqloomSteps(1);
    for (const w of workers) await torchSteps(w, 1);
    const sides = ['seqloom', ...workers.map((w) => w.name)];
    const probeSeconds = sides.map(() => 0);
    for (let j = 0; j < sides.length; j++) {
      const [s] = j === 0 ? await timed(() => seqloomSteps(plan.probeSteps)) : await timed(() => torchSteps(workers[j - 1]!, plan.probeSteps));
      probeSeconds[j] = s / plan.probeSteps;
    }
    const probe = Object.fromEntries(sides.map((n, j) => [n, round(probeSeconds[j]!, 4)]));
    const bestIndex = probeSeconds.slice(1).reduce((b, s, i, all) => (s < all[b]! ? i : b), 0);
    const best = workers[bestIndex]!;
    await Promise.all(workers.filter((w) => w !== best).map((w) => w.close()));
    workers = [best];
    // 2. interleaved turns
    const sum = { seqloom: [0, 0], torch: [0, 0] };
    for (let t = 0; t < plan.turns; t++) {
      const order = t % 2 === 0 ? ['seqloom', 'torch'] as const : ['torch', 'seqloom'] as const;
      for (const side of order) {
        const [s, n] = side === 'seqloom' ? await timed(() => seqloomSteps(plan.stepsPerTurn)) : await timed(() => torchSteps(best, plan.stepsPerTurn));
        sum[side][0]! += s;
        sum[side][1]! += n;
      }
      onTurn?.(t + 1, plan.turns);
    }
    const steps = plan.turns * plan.stepsPerTurn;
    const rate = (x: number[]) => ({ tokensPerSecond: round(x[1]! / x[0]!, 0), stepSeconds: round(x[0]! / steps, 4) });
    return {
      name: job.name, seqloomProducts: describeProducts('wasm'), torchBlas, probe, best: best.name, stepsPerSide: steps,
      seqloom: rate(sum.seqloom), torch: rate(sum.torch),
      ratio: round((sum.seqloom[1]! / sum.seqloom[0]!) / (sum.torch[1]! / sum.torch[0]!), 2),
    };
  } finally {
    await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
    module.dispose();
    optimizer.dispose();
    tf.disposeVariables();
    rmSync(dir, { recursive: true, force: true });
  }
}

export { configName };
