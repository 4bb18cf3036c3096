/**
 * Parameters: tf.Variables keyed by their PyTorch names, stored in a COMPUTE layout (matrices as
 * [In, Out] so forward matMuls need no transpose). torch-layout.ts converts at the checkpoint edge.
 *
 * Initialization follows PyTorch's defaults, drawn from a seeded Rng:
 * - recurrent weights and biases: U(-1/√H, 1/√H)           (nn.RNN / nn.GRU / nn.LSTM)
 * - embedding: N(0, 1)                                     (nn.Embedding)
 * - dense weight and bias: U(-1/√In, 1/√In)                (nn.Linear: kaiming_uniform(a=√5))
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from './rng.js';

/** One node's parameters: PyTorch param name → variable in compute layout. */
export type ParamMap = Record<string, tf.Variable>;

export type CellKind = 'rnn' | 'gru' | 'lstm';
export type Nonlinearity = 'tanh' | 'relu';

export interface RecurrentConfig {
  cell: CellKind;
  inputSize: number;
  hidden: number;
  layers: number;
  /** Dropout on each layer's output except the last, training only (PyTorch semantics). */
  dropout: number;
  bidirectional: boolean;
  /** Used by `rnn` only. */
  nonlinearity: Nonlinearity;
}

/** Recurrent parameters: `weight_ih_l{k}[_reverse]` [In_k, G·H], `weight_hh_l{k}…` [H, G·H], biases [G·H]. */
export type RecurrentParams = ParamMap;
/** `weight` [V, D] (the same layout as PyTorch). */
export type EmbeddingParams = ParamMap;
/** `weight` [In, Out] (PyTorch: [Out, In]), `bias` [Out]. */
export type DenseParams = ParamMap;

/** Gate count G: the number of H-wide blocks in a cell's fused weight matrices (PyTorch order). */
export const GATES: Record<CellKind, number> = { rnn: 1, gru: 3, lstm: 4 };

export function directions(cfg: Pick<RecurrentConfig, 'bidirectional'>): 1 | 2 {
  return cfg.bidirectional ? 2 : 1;
}

/** `_l{layer}` plus `_reverse` for the backward direction. */
export function layerSuffix(layer: number, direction: number): string {
  return `_l${layer}${direction === 1 ? '_reverse' : ''}`;
}

/** Width of layer k's input: the model input for k = 0, else the layer below's (both directions). */
export function layerInputSize(cfg: RecurrentConfig, layer: number): number {
  return layer === 0 ? cfg.inputSize : cfg.hidden * directions(cfg);
}

/** Compute-layout shapes of a recurrent node's parameters, in PyTorch's order. */
export function recurrentParamShapes(cfg: RecurrentConfig): Record<string, number[]> {
  const gh = GATES[cfg.cell] * cfg.hidden;
  const shapes: Record<string, number[]> = {};
  for (let l = 0; l < cfg.layers; l++) {
    for (let d = 0; d < directions(cfg); d++) {
      const s = layerSuffix(l, d);
      shapes[`weight_ih${s}`] = [layerInputSize(cfg, l), gh];
      shapes[`weight_hh${s}`] = [cfg.hidden, gh];
      shapes[`bias_ih${s}`] = [gh];
      shapes[`bias_hh${s}`] = [gh];
    }
  }
  return shapes;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function uniformVariable(shape: number[], bound: number, rng: Rng): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(rng.uniformArray(sizeOf(shape), -bound, bound), shape)));
}

export function normalVariable(shape: number[], rng: Rng): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(rng.normalArray(sizeOf(shape)), shape)));
}

export function createRecurrentParams(cfg: RecurrentConfig, rng: Rng): RecurrentParams {
  const bound = 1 / Math.sqrt(cfg.hidden);
  const params: RecurrentParams = {};
  for (const [name, shape] of Object.entries(recurrentParamShapes(cfg))) {
    params[name] = uniformVariable(shape, bound, rng);
  }
  return params;
}

export function createEmbeddingParams(vocab: number, dim: number, rng: Rng): EmbeddingParams {
  return { weight: normalVariable([vocab, dim], rng) };
}

export function createDenseParams(inSize: number, outSize: number, rng: Rng): DenseParams {
  const bound = 1 / Math.sqrt(inSize);
  return { weight: uniformVariable([inSize, outSize], bound, rng), bias: uniformVariable([outSize], bound, rng) };
}

/** All variables of some param maps, in a stable order (map order, then PyTorch param order). */
export function paramVariables(...maps: ParamMap[]): tf.Variable[] {
  return maps.flatMap((m) => Object.values(m));
}

export function disposeParams(...maps: ParamMap[]): void {
  for (const m of maps) for (const v of Object.values(m)) v.dispose();
}
