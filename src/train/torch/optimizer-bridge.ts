/**
 * Optimizer state between the engines. seqloom's optimizer.safetensors (optimizer-state.ts) keys
 * Adam's moments by the index of their parameter in `module.variables()`, in compute layout
 * (matrices [In, Out]); the torch engine keys them by checkpoint name in PyTorch layout
 * (`m.encoder.weight_ih_l0`, …). Parameter k of `variables()` is tensor k of `exportTensors()` (both
 * walk the nodes in spec order and each node's parameters in PyTorch's order), and every 2-D tensor
 * but an embedding table is stored transposed — so the two convert exactly, both ways, and a run
 * resumes with the same moments whichever engine wrote them.
 */
import type { Spec } from '../../spec/types.js';
import type { TensorDict } from '../../runtime/module.js';
import type { OptimizerState } from '../optimizer-state.js';
import { UserError } from '../../errors.js';

/** Names of embedding tables (the only matrices stored untransposed). */
function embeddingNames(spec: Spec): Set<string> {
  return new Set(spec.nodes.filter((n) => n.op === 'embedding').map((n) => `${n.weights}.weight`));
}

function transpose(t: { shape: number[]; data: Float32Array }): { shape: number[]; data: Float32Array } {
  const [rows, cols] = t.shape as [number, number];
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c]!;
  return { shape: [cols, rows], data: out };
}

function layoutSwap(spec: Spec, name: string, t: { shape: number[]; data: Float32Array }) {
  return t.shape.length === 2 && !embeddingNames(spec).has(name) ? transpose(t) : { shape: [...t.shape], data: t.data };
}

/** The torch engine's staged state (names: `m.<tensor>`, `v.<tensor>`) → seqloom's optimizer state. */
export function optimizerStateFromTorch(spec: Spec, names: readonly string[], tensors: TensorDict, meta: Record<string, string>): OptimizerState {
  const out: TensorDict = {};
  const optimizer = meta['optimizer'] ?? 'Adam';
  const result: OptimizerState = { tensors: out, meta: { optimizer, iterations: meta['iterations'] ?? '0' } };
  if (optimizer !== 'Adam') return result;
  for (const slot of ['m', 'v'] as const) {
    names.forEach((name, k) => {
      const t = tensors[`${slot}.${name}`];
      if (!t) throw new Error(`torch optimizer state lacks ${slot}.${name}`);
      out[`${slot}.${k}`] = layoutSwap(spec, name, t);
    });
    result.meta[`${slot}_owners`] = JSON.stringify(names.map((_, k) => k));
  }
  for (const scalar of ['acc_beta1', 'acc_beta2']) {
    const t = tensors[scalar];
    if (!t) throw new Error(`torch optimizer state lacks ${scalar}`);
    out[scalar] = { shape: [], data: Float32Array.from(t.data) };
  }
  return result;
}

/** seqloom's optimizer state (either engine's checkpoint) → the torch engine's names and layouts. */
export function optimizerStateToTorch(spec: Spec, names: readonly string[], state: OptimizerState, where: string): { tensors: TensorDict; meta: Record<string, string> } {
  const optimizer = state.meta['optimizer'] ?? '';
  const meta = { optimizer, iterations: state.meta['iterations'] ?? '0' };
  if (optimizer !== 'Adam') return { tensors: {}, meta };
  const tensors: TensorDict = {};
  for (const slot of ['m', 'v'] as const) {
    const owners = JSON.parse(state.meta[`${slot}_owners`] ?? '[]') as number[];
    owners.forEach((j, k) => {
      const t = state.tensors[`${slot}.${k}`];
      const name = names[j];
      if (!t || name === undefined) throw new UserError(`${where}: optimizer state does not match the model's parameters`);
      tensors[`${slot}.${name}`] = layoutSwap(spec, name, t);
    });
  }
  for (const scalar of ['acc_beta1', 'acc_beta2']) {
    const t = state.tensors[scalar];
    if (!t) throw new UserError(`${where}: missing optimizer scalar ${scalar}`);
    tensors[scalar] = { shape: [], data: Float32Array.from(t.data) };
  }
  return { tensors, meta };
}
