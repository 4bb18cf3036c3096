/**
 * Section 1: training throughput of a generated module against the hand-written tf.layers baseline
 * (bench/baselines/layers-seq2seq.ts), same sizes, same synthetic batches, same loss, clipping and
 * Adam, same backend, steps interleaved. Reports target tokens/s of each side and their ratio.
 */
import * as tf from '@tensorflow/tfjs';
import { loadGeneratedModule } from '../../src/compile/index.js';
import { initBackend, type BackendName } from '../../src/runtime/node/index.js';
import type { Seq2SeqModule } from '../../src/runtime/module.js';
import { createOptimizer } from '../../src/runtime/nn/train.js';
import { disposeBatch, seq2seqTensors } from '../../src/train/batch-tensors.js';
import { LayersSeq2Seq } from '../baselines/layers-seq2seq.js';
import { interleave, round, speedRatio } from '../measure.js';
import { SIZES, syntheticBatches, type BenchSize } from '../synthetic.js';

export interface ThroughputResult {
  backend: BackendName;
  size: BenchSize['name'];
  cell: 'gru' | 'lstm';
  batch: number;
  /** Target tokens per second, median step. */
  seqloomTokensPerSecond: number;
  layersTokensPerSecond: number;
  /** Median seconds per training step. */
  seqloomStepSeconds: number;
  layersStepSeconds: number;
  ratio: number;
  rounds: number;
}

export interface ThroughputPlan {
  rounds: number;
  warmup: number;
  /** A smaller batch than the size's (quick mode on the slow cpu backend); reported with the result. */
  batch?: number;
}

/** Spec files of the generated modules, by cell and size (relative to the package root). */
export const THROUGHPUT_SPECS: Record<'gru' | 'lstm', Record<BenchSize['name'], string>> = {
  gru: { small: 'models/d2l-seq2seq-gru.yaml', large: 'bench/specs/seq2seq-gru-large.yaml' },
  lstm: { small: 'models/d2l-seq2seq-lstm.yaml', large: 'bench/specs/seq2seq-lstm-large.yaml' },
};

const CLIP_NORM = 1;
const LR = 0.005;

export async function measureTrainThroughput(
  backend: BackendName, sizeName: BenchSize['name'], cell: 'gru' | 'lstm', plan: ThroughputPlan,
  onRound?: (done: number, total: number) => void,
): Promise<ThroughputResult> {
  await initBackend(backend);
  const size = { ...SIZES[sizeName], batch: plan.batch ?? SIZES[sizeName].batch };
  const { ModuleClass } = await loadGeneratedModule(THROUGHPUT_SPECS[cell][sizeName]);
  const module = new ModuleClass({ vocab: { source: size.vocab, target: size.vocab }, seed: 0 }) as Seq2SeqModule;
  const baseline = new LayersSeq2Seq({
    cell, srcVocab: size.vocab, tgtVocab: size.vocab, embed: size.embed, hidden: size.hidden, layers: size.layers, dropout: size.dropout,
  });
  const seqloomOpt = createOptimizer({ name: 'adam', lr: LR });
  const layersOpt = createOptimizer({ name: 'adam', lr: LR });
  const batches = syntheticBatches(size, 4, 1234);
  let a = 0, b = 0;
  const step = (train: (batch: ReturnType<typeof seq2seqTensors>) => number, i: number): number => {
    const tensors = seq2seqTensors(batches[i % batches.length]!);
    try {
      return train(tensors);
    } finally {
      disposeBatch(tensors);
    }
  };
  try {
    const result = await interleave([
      { name: 'seqloom', run: () => step((t) => module.trainStep(t, seqloomOpt, CLIP_NORM).tokens, a++) },
      { name: 'tf.layers', run: () => step((t) => baseline.trainStep(t, layersOpt, CLIP_NORM).tokens, b++) },
    ], plan.rounds, plan.warmup, onRound);
    const [s, l] = result.sides as [typeof result.sides[0], typeof result.sides[0]];
    return {
      backend, size: sizeName, cell, batch: size.batch,
      seqloomTokensPerSecond: round(s.perSecond ?? 0, 0), layersTokensPerSecond: round(l.perSecond ?? 0, 0),
      seqloomStepSeconds: round(s.median, 4), layersStepSeconds: round(l.median, 4),
      ratio: round(speedRatio(s, l), 2), rounds: result.rounds,
    };
  } finally {
    module.dispose();
    baseline.dispose();
    seqloomOpt.dispose();
    layersOpt.dispose();
    tf.disposeVariables();
  }
}
