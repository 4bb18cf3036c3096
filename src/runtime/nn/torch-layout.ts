/**
 * The checkpoint boundary: parameters in compute layout ⇄ PyTorch names and layouts.
 *
 *   kind        PyTorch tensor (name: shape)                       compute layout
 *   embedding   weight: [V, D]                                     same
 *   recurrent   weight_ih_l{k}[_reverse]: [G·H, In], weight_hh…: [G·H, H]   transposed: [In, G·H], [H, G·H]
 *               bias_ih…, bias_hh…: [G·H]                           same
 *   dense       weight: [Out, In], bias: [Out]                     weight transposed: [In, Out]
 *   attention   W_q.weight: [h, Dq], W_k.weight: [h, Dk], w_v.weight: [1, h]   transposed
 *
 * i.e. every matrix except the embedding table is stored transposed. Gate order inside G·H is
 * PyTorch's (GRU r,z,n; LSTM i,f,g,o), so a transpose is the whole conversion.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../errors.js';
import type { NamedTensor, TensorDict } from '../module.js';
import type { AttentionKind } from './attention.js';
import { recurrentParamShapes, type ParamMap, type RecurrentConfig } from './params.js';

export type LayerKind = 'embedding' | 'recurrent' | 'dense' | 'attention';
export interface EmbeddingConfig { vocab: number; dim: number }
export interface DenseConfig { inSize: number; outSize: number }
export interface AttentionConfig { kind: AttentionKind; queryDim: number; keyDim: number; hidden: number }
export interface LayerConfigs {
  embedding: EmbeddingConfig;
  recurrent: RecurrentConfig;
  dense: DenseConfig;
  attention: AttentionConfig;
}

/** PyTorch shapes of a node's parameters, in PyTorch's state_dict order (no prefix). */
export function torchParamShapes<K extends LayerKind>(kind: K, cfg: LayerConfigs[K]): Record<string, number[]> {
  const compute = computeParamShapes(kind, cfg);
  const out: Record<string, number[]> = {};
  for (const [name, shape] of Object.entries(compute)) out[name] = isTransposed(kind, shape) ? [...shape].reverse() : shape;
  return out;
}

/** The checkpoint names of a node's tensors: `<prefix>.<param>` (just `<param>` for an empty prefix). */
export function torchParamNames<K extends LayerKind>(kind: K, cfg: LayerConfigs[K], prefix = ''): string[] {
  return Object.keys(torchParamShapes(kind, cfg)).map((name) => qualified(prefix, name));
}

/** Parameters → PyTorch names (`<prefix>.<param>`) and layouts. */
export function toTorchTensors<K extends LayerKind>(
  kind: K, cfg: LayerConfigs[K], params: ParamMap, prefix = '',
): TensorDict {
  const out: TensorDict = {};
  for (const [name, shape] of Object.entries(computeParamShapes(kind, cfg))) {
    const v = params[name];
    if (v === undefined) throw new Error(`parameter '${qualified(prefix, name)}' is missing`);
    const data = v.dataSync() as Float32Array;
    out[qualified(prefix, name)] = isTransposed(kind, shape)
      ? { shape: [shape[1]!, shape[0]!], data: transpose2d(data, shape[0]!, shape[1]!) }
      : { shape: [...shape], data: Float32Array.from(data) };
  }
  return out;
}

/**
 * Loads `<prefix>.<param>` tensors (PyTorch layouts) into `params` (compute layout), in place.
 * A missing tensor or a wrong shape is a UserError naming the tensor; tensors of other nodes are
 * ignored here (the module checks for names nobody consumed: see torchParamNames).
 */
export function fromTorchTensors<K extends LayerKind>(
  kind: K, cfg: LayerConfigs[K], tensors: TensorDict, params: ParamMap, prefix = '',
): void {
  const staged: Array<[tf.Variable, tf.Tensor]> = [];
  try {
    for (const [name, shape] of Object.entries(computeParamShapes(kind, cfg))) {
      const key = qualified(prefix, name);
      const transposed = isTransposed(kind, shape);
      const torchShape = transposed ? [shape[1]!, shape[0]!] : shape;
      const t = checkedTensor(tensors, key, torchShape);
      const variable = params[name];
      if (variable === undefined) throw new Error(`parameter '${key}' is missing`);
      const data = transposed ? transpose2d(t.data, torchShape[0]!, torchShape[1]!) : t.data;
      staged.push([variable, tf.tensor(data, shape, 'float32')]);
    }
    // Assign only once every tensor checked out: a bad checkpoint leaves the parameters untouched.
    for (const [variable, value] of staged) variable.assign(value);
  } finally {
    tf.dispose(staged.map(([, value]) => value));
  }
}

function checkedTensor(tensors: TensorDict, key: string, shape: number[]): NamedTensor {
  const t = tensors[key];
  if (t === undefined) throw new UserError(`checkpoint has no tensor '${key}'`, `expected shape [${shape.join(', ')}]`);
  const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
  if (!same) {
    throw new UserError(`tensor '${key}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new UserError(`tensor '${key}' has ${t.data.length} values, expected ${size}`);
  return t;
}

function computeParamShapes<K extends LayerKind>(kind: K, cfg: LayerConfigs[K]): Record<string, number[]> {
  switch (kind) {
    case 'embedding': {
      const c = cfg as EmbeddingConfig;
      return { weight: [c.vocab, c.dim] };
    }
    case 'recurrent':
      return recurrentParamShapes(cfg as RecurrentConfig);
    case 'dense': {
      const c = cfg as DenseConfig;
      return { weight: [c.inSize, c.outSize], bias: [c.outSize] };
    }
    case 'attention': {
      const c = cfg as AttentionConfig;
      if (c.kind === 'dot') return {};
      return { 'W_q.weight': [c.queryDim, c.hidden], 'W_k.weight': [c.keyDim, c.hidden], 'w_v.weight': [c.hidden, 1] };
    }
  }
  throw new Error(`unknown layer kind '${String(kind)}'`);
}

function isTransposed(kind: LayerKind, computeShape: number[]): boolean {
  return kind !== 'embedding' && computeShape.length === 2;
}

function qualified(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** [rows, cols] row-major → [cols, rows]. */
function transpose2d(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}
