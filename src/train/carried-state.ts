/**
 * A language model's carried hidden state (train.carry_state) in a mid-epoch checkpoint. The state
 * is the generated module's own typed object of tensors ({rnn_state: {h}}, {…: {h, c}}); it is saved
 * as named tensors, one per leaf (`rnn_state.h`), and restored by filling the same leaves of a
 * fresh `initState`, so this works for any generated state shape without knowing it.
 */
import * as tf from '@tensorflow/tfjs';
import type { LanguageModelModule, TensorDict } from '../runtime/module.js';
import { UserError } from '../errors.js';

export const CARRIED_STATE_FILE = 'carried_state.safetensors';

function isTensor(x: unknown): x is tf.Tensor {
  return x instanceof tf.Tensor;
}

/** Every tensor leaf of a state object with its dotted path. */
function leaves(state: unknown, prefix = ''): [string, tf.Tensor][] {
  if (isTensor(state)) return [[prefix, state]];
  if (state === null || typeof state !== 'object') return [];
  const out: [string, tf.Tensor][] = [];
  for (const [key, value] of Object.entries(state as Record<string, unknown>)) {
    out.push(...leaves(value, prefix === '' ? key : `${prefix}.${key}`));
  }
  return out;
}

/** Host copies of the state's tensors (float32), named by path. */
export function captureCarriedState(state: unknown): TensorDict {
  const out: TensorDict = {};
  for (const [name, t] of leaves(state)) out[name] = { shape: t.shape.slice(), data: Float32Array.from(t.dataSync()) };
  return out;
}

/** A state object of the module's shape holding the saved tensors (the caller owns it). */
export function restoreCarriedState(module: LanguageModelModule, saved: TensorDict, where: string): unknown {
  const template = module.initState(1);
  const made: tf.Tensor[] = [];
  try {
    const fill = (node: unknown, prefix: string): unknown => {
      if (isTensor(node)) {
        const t = saved[prefix];
        if (!t || t.shape.length !== node.rank) throw new UserError(`${where}: no carried state tensor ${prefix} of rank ${node.rank}`);
        const restored = tf.tensor(t.data, t.shape, 'float32');
        made.push(restored);
        return restored;
      }
      if (node === null || typeof node !== 'object') return node;
      const copy: Record<string, unknown> = Array.isArray(node) ? [] as unknown as Record<string, unknown> : {};
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) copy[key] = fill(value, prefix === '' ? key : `${prefix}.${key}`);
      return copy;
    };
    return fill(template, '');
  } catch (e) {
    tf.dispose(made);
    throw e;
  } finally {
    module.disposeState(template);
  }
}
