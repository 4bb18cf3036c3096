/**
 * Optimizer state for exact resume: the step count, Adam's moments and its running β powers, saved
 * bit-for-bit so that training 2 epochs, saving, and resuming for 2 more gives the same weights as 4
 * epochs in one go. (tfjs's own `getWeights`/`setWeights` recompute β^t with `pow`, which differs
 * from the running product in the last bits, and key moments by variable names that change between
 * processes — so seqloom snapshots the optimizer's slots itself, keyed by the variable's index in
 * `module.variables()`.)
 *
 * Supported: tfjs Adam, SGD and Momentum (what runtime/nn's `createOptimizer` builds), or any
 * optimizer that implements `CheckpointableOptimizer`.
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorDict } from '../runtime/module.js';
import { UserError } from '../errors.js';

export interface OptimizerState {
  /** Slot tensors, named `<slot>.<k>` plus scalar state like `acc_beta1`. */
  tensors: TensorDict;
  /** Strings only (stored as safetensors `__metadata__`). */
  meta: Record<string, string>;
}

/** An optimizer that snapshots itself (for optimizers not built on tfjs's classes). */
export interface CheckpointableOptimizer {
  exportState(vars: tf.Variable[]): OptimizerState;
  importState(vars: tf.Variable[], state: OptimizerState): void;
}

interface SlotVariable { originalName: string; variable: tf.Variable }
interface TfjsOptimizerInternals {
  iterations_?: number;
  accBeta1?: tf.Variable; accBeta2?: tf.Variable;
  accumulatedFirstMoment?: SlotVariable[]; accumulatedSecondMoment?: SlotVariable[];
  accumulations?: SlotVariable[];
}

/** Per optimizer class: slot arrays (suffix in tfjs's originalName) and scalar variables. */
const LAYOUTS: Record<string, { slots: [keyof TfjsOptimizerInternals, string][]; scalars: (keyof TfjsOptimizerInternals)[] }> = {
  Adam: { slots: [['accumulatedFirstMoment', 'm'], ['accumulatedSecondMoment', 'v']], scalars: ['accBeta1', 'accBeta2'] },
  SGD: { slots: [], scalars: [] },
  Momentum: { slots: [['accumulations', 'momentum']], scalars: [] },
};

function isCheckpointable(o: unknown): o is CheckpointableOptimizer {
  return typeof (o as CheckpointableOptimizer).exportState === 'function'
    && typeof (o as CheckpointableOptimizer).importState === 'function';
}

function layoutOf(optimizer: tf.Optimizer) {
  const name = optimizer.getClassName();
  const layout = LAYOUTS[name];
  if (!layout) {
    throw new UserError(`cannot checkpoint the state of optimizer ${name}`, 'use adam or sgd');
  }
  return { name, layout };
}

export function captureOptimizerState(optimizer: tf.Optimizer, vars: tf.Variable[]): OptimizerState {
  if (isCheckpointable(optimizer)) return optimizer.exportState(vars);
  const { name, layout } = layoutOf(optimizer);
  const o = optimizer as unknown as TfjsOptimizerInternals;
  const indexOf = new Map(vars.map((v, i) => [v.name, i]));
  const tensors: TensorDict = {};
  const meta: Record<string, string> = { optimizer: name, iterations: String(o.iterations_ ?? 0) };
  for (const [field, suffix] of layout.slots) {
    const slots = (o[field] as SlotVariable[] | undefined) ?? [];
    const owners = slots.map((s, k) => {
      const varName = s.originalName.slice(0, -(suffix.length + 1));
      const j = indexOf.get(varName);
      if (j === undefined) throw new Error(`optimizer slot ${s.originalName} belongs to no model variable`);
      tensors[`${suffix}.${k}`] = { shape: s.variable.shape.slice(), data: Float32Array.from(s.variable.dataSync()) };
      return j;
    });
    meta[`${suffix}_owners`] = JSON.stringify(owners);
  }
  for (const field of layout.scalars) {
    const v = o[field] as tf.Variable;
    tensors[snake(field)] = { shape: [], data: Float32Array.from(v.dataSync()) };
  }
  return { tensors, meta };
}

/** Puts a captured state into a fresh optimizer of the same kind (before its first step). */
export function restoreOptimizerState(optimizer: tf.Optimizer, vars: tf.Variable[], state: OptimizerState, where: string): void {
  if (isCheckpointable(optimizer)) {
    optimizer.importState(vars, state);
    return;
  }
  const { name, layout } = layoutOf(optimizer);
  if (state.meta.optimizer !== name) {
    throw new UserError(`${where}: the checkpoint's optimizer is ${state.meta.optimizer ?? 'unknown'}, the spec asks for ${name}`,
      'resume with the spec the checkpoint was trained with');
  }
  const o = optimizer as unknown as TfjsOptimizerInternals;
  const iterations = Number(state.meta.iterations);
  if (!Number.isInteger(iterations) || iterations < 0) throw new UserError(`${where}: bad iteration count ${state.meta.iterations}`);
  for (const [field, suffix] of layout.slots) {
    const owners = parseOwners(state.meta[`${suffix}_owners`], vars.length, where);
    const slots: SlotVariable[] = owners.map((j, k) => {
      const t = state.tensors[`${suffix}.${k}`];
      const v = vars[j]!;
      if (!t) throw new UserError(`${where}: missing optimizer tensor ${suffix}.${k}`);
      if (t.shape.join(',') !== v.shape.join(',')) {
        throw new UserError(`${where}: optimizer tensor ${suffix}.${k} has shape [${t.shape}], the parameter has [${v.shape}]`);
      }
      const init = tf.tensor(t.data, t.shape);
      const variable = init.variable(false);
      init.dispose();
      return { originalName: `${v.name}/${suffix}`, variable };
    });
    const old = o[field] as SlotVariable[] | undefined;
    if (old) tf.dispose(old.map((s) => s.variable));
    (o as Record<string, unknown>)[field] = slots;
  }
  for (const field of layout.scalars) {
    const t = state.tensors[snake(field)];
    if (!t || t.data.length !== 1) throw new UserError(`${where}: missing optimizer scalar ${snake(field)}`);
    const v = o[field] as tf.Variable;
    tf.tidy(() => v.assign(tf.scalar(t.data[0]!)));
  }
  o.iterations_ = iterations;
}

function parseOwners(raw: string | undefined, count: number, where: string): number[] {
  let owners: unknown;
  try {
    owners = JSON.parse(raw ?? '[]');
  } catch {
    throw new UserError(`${where}: unreadable optimizer metadata`);
  }
  if (!Array.isArray(owners) || !owners.every((j) => Number.isInteger(j) && j >= 0 && j < count)) {
    throw new UserError(`${where}: optimizer state does not match the model's ${count} parameters`);
  }
  return owners as number[];
}

function snake(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => `_${m.toLowerCase()}`);
}
