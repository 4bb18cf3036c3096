/**
 * How many repetitions each measurement gets, full and --quick. Full: enough interleaved rounds for
 * stable medians on a shared 2-core machine, and all 300 d2l epochs. Quick (< 3 minutes): a few
 * rounds each; the d2l run trains 6 epochs per side and is scaled to 300.
 */
import type { BackendName } from '../src/runtime/backend/index.js';
import type { BenchSize } from './synthetic.js';
import type { ThroughputPlan } from './sections/train-vs-layers.js';
import type { VsPytorchPlan } from './sections/vs-pytorch.js';

export interface BenchPlan {
  train: Record<BackendName, Record<BenchSize['name'], ThroughputPlan>>;
  d2l: { chunkEpochs: number; chunks: number; torchThreads: number[]; decode: { rounds: number; warmup: number; sentences: number }; backend: string };
  generate: { repeats: number; cli: boolean };
  /** Lever on/off comparisons (sections/levers.ts), wasm, per size. */
  levers: Record<BenchSize['name'], ThroughputPlan>;
  /** seqloom vs PyTorch at three sizes (sections/vs-pytorch.ts). */
  pytorch: VsPytorchPlan;
}

export function planFor(quick: boolean): BenchPlan {
  if (quick) {
    return {
      train: {
        wasm: { small: { rounds: 8, warmup: 2 }, large: { rounds: 3, warmup: 1 } },
        cpu: { small: { rounds: 3, warmup: 1 }, large: { rounds: 1, warmup: 0, batch: 8 } },
        node: { small: { rounds: 6, warmup: 2 }, large: { rounds: 2, warmup: 1 } },
      },
      d2l: { chunkEpochs: 2, chunks: 3, torchThreads: [1, 2], decode: { rounds: 2, warmup: 0, sentences: 64 }, backend: 'wasm' },
      generate: { repeats: 2, cli: false },
      levers: { small: { rounds: 6, warmup: 2 }, large: { rounds: 1, warmup: 1 } },
      pytorch: {
        d2l: { epochs: 20, probeEpochs: 5, reps: 1, translateRuns: 2 },
        large: { probeSteps: 1, turns: 2, stepsPerTurn: 1 },
        bahdanau: { probeSteps: 2, turns: 2, stepsPerTurn: 5 },
      },
    };
  }
  return {
    train: {
      wasm: { small: { rounds: 30, warmup: 3 }, large: { rounds: 8, warmup: 1 } },
      cpu: { small: { rounds: 12, warmup: 2 }, large: { rounds: 2, warmup: 1 } },
      node: { small: { rounds: 30, warmup: 3 }, large: { rounds: 8, warmup: 1 } },
    },
    d2l: { chunkEpochs: 10, chunks: 30, torchThreads: [1, 2], decode: { rounds: 5, warmup: 1, sentences: 64 }, backend: 'wasm' },
    generate: { repeats: 5, cli: true },
    levers: { small: { rounds: 20, warmup: 3 }, large: { rounds: 6, warmup: 1 } },
    pytorch: {
      d2l: { epochs: 300, probeEpochs: 30, reps: 2, translateRuns: 3 },
      large: { probeSteps: 2, turns: 6, stepsPerTurn: 2 },
      bahdanau: { probeSteps: 4, turns: 8, stepsPerTurn: 25 },
    },
  };
}
