/**
 * The memory one training step needs, from the graph's resource estimate (src/graph/estimate.ts):
 *
 *   parameters   4 bytes × P × (1 weights + 1 gradients + optimizer slots: adam 2, sgd 0)
 *   activations  4 bytes × A × 2 (the forward values kept for backprop, and their gradients)
 *
 * P and A count float32 values (estimate.totalParams / totalActivations). The figure is a lower
 * bound of what tfjs allocates (temporaries come and go), which is what a refusal should rest on.
 */
import type { OptimizerSpec } from '../spec/types.js';
import type { ResourceEstimate } from '../graph/estimate.js';

export const FLOAT_BYTES = 4;
const OPTIMIZER_SLOTS: Record<OptimizerSpec['name'], number> = { adam: 2, sgd: 0 };

export interface NodeNeed { node: string; params: number; activations: number; bytes: number }

export interface TrainingMemory {
  /** Copies of every parameter kept during training (weights, gradients, optimizer slots). */
  paramCopies: number;
  paramBytes: number;
  activationBytes: number;
  totalBytes: number;
  /** Per node, largest first. */
  nodes: NodeNeed[];
}

export function trainingMemory(estimate: ResourceEstimate, optimizer: OptimizerSpec['name']): TrainingMemory {
  const paramCopies = 2 + OPTIMIZER_SLOTS[optimizer];
  const nodes = Object.entries(estimate.nodes).map(([node, e]): NodeNeed => ({
    node, params: e.params, activations: e.activations,
    bytes: FLOAT_BYTES * (paramCopies * e.params + 2 * e.activations),
  }));
  nodes.sort((a, b) => b.bytes - a.bytes);
  const paramBytes = FLOAT_BYTES * paramCopies * estimate.totalParams;
  const activationBytes = FLOAT_BYTES * 2 * estimate.totalActivations;
  return { paramCopies, paramBytes, activationBytes, totalBytes: paramBytes + activationBytes, nodes };
}
