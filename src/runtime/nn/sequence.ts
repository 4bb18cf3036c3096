/**
 * One layer-direction of a recurrent cell over a whole sequence, as ONE differentiable op with a
 * hand-written backward pass (backpropagation through time), via tf.customGrad.
 *
 * Two implementations of the same math:
 * - fused (wasm, cpu): the forward and the backward are each ONE kernel (backend/recurrent-*.ts):
 *   per step one h·W_hh product through the backend plus a plain-array pass over the gates, no
 *   engine op per step. At the d2l size (batch 64, 10 steps, 32 wide) tfjs's per-op overhead, not
 *   arithmetic, was the cost of a step (~13 ops forward, ~20 backward).
 * - ops (any backend without the kernels, e.g. tfjs-node; and the reference the kernels are tested
 *   against): the forward runs untaped as tfjs ops, the backward as ~20 plain ops per step; W_hh's
 *   gradient is ONE matMul over all steps (Σ_t h_{t−1}ᵀ·dg_t = H_prevᵀ·DG).
 *
 * Equations, gate order and the masking rule are cells.ts's and recurrent.ts's: with lengths, rows
 * past their length keep the previous state. The torch reference tests cover every path here.
 *
 *   inputs  projected [T·B, G·H] (x W_ih + bias, time-major), W_hh [H, G·H], b_hh [G·H] (GRU only),
 *           h0 [B, H] and c0 [B, H] when given (else zeros, and no gradient for them)
 *   output  [T, B, H]: the state after each step, in time order (LSTM: [T+1, B, H], the last row
 *           holding the final c)
 */
import * as tf from '@tensorflow/tfjs';
import { RECURRENT_BACKWARD, RECURRENT_FORWARD } from '../backend/kernels-fused.js';
import type { CellKind, Nonlinearity } from './params.js';
import { unstackRows } from './unstack.js';

export interface SequenceSpec {
  cell: CellKind;
  nonlinearity: Nonlinearity;
  steps: number;
  batch: number;
  hidden: number;
  /** int32 [B]: step t valid for row b iff t < lengths[b]; null = every step valid. */
  lengths: tf.Tensor1D | null;
  reverse: boolean;
  /** Force the op-by-op implementation (tests compare the two). */
  useOps?: boolean;
}

export interface SequenceResult { outputs: tf.Tensor3D; h: tf.Tensor2D; c: tf.Tensor2D | null }

type Saved = Record<string, tf.Tensor[]>;

let fusedEnabled = true;

/** Turns the fused kernels off (true: on, the default) — for benchmarks measuring what they buy. */
export function setFusedRecurrence(on: boolean): void {
  fusedEnabled = on;
}

/** Whether recurrences run fused: enabled and the active backend has seqloom's kernels. */
export function hasFusedRecurrence(): boolean {
  return fusedEnabled && tf.getKernel(RECURRENT_FORWARD, tf.getBackend()) !== undefined;
}

/** Runs the cell over all steps. Inputs as described above; b_hh is used by GRU only. */
export function runCellSequence(
  spec: SequenceSpec, projected: tf.Tensor2D, whh: tf.Tensor2D, bhh: tf.Tensor1D,
  h0: tf.Tensor2D | null, c0: tf.Tensor2D | null,
): SequenceResult {
  const lstm = spec.cell === 'lstm';
  const inputs: tf.Tensor[] = [projected, whh];
  if (spec.cell === 'gru') inputs.push(bhh);
  if (h0 !== null) inputs.push(h0);
  if (lstm && c0 !== null) inputs.push(c0);
  const fused = spec.useOps !== true && hasFusedRecurrence();
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    return fused
      ? fusedOp(spec, projected, whh, bhh, h0, lstm ? c0 : null, save)
      : opsOp(spec, projected, whh, bhh, h0, lstm ? c0 : null, save);
  });
  const value = op(...inputs) as tf.Tensor3D;
  const last = spec.reverse ? 0 : spec.steps - 1;
  const outputs = lstm ? value.slice([0, 0, 0], [spec.steps, -1, -1]) as tf.Tensor3D : value;
  const h = outputs.slice([last, 0, 0], [1, -1, -1]).reshape([spec.batch, spec.hidden]) as tf.Tensor2D;
  const c = lstm ? value.slice([spec.steps, 0, 0], [1, -1, -1]).reshape([spec.batch, spec.hidden]) as tf.Tensor2D : null;
  return { outputs, h, c };
}

type CustomGradResult = { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** The fused kernels: forward and backward are one kernel call each. */
function fusedOp(
  spec: SequenceSpec, projected: tf.Tensor2D, whh: tf.Tensor2D, bhh: tf.Tensor1D,
  h0: tf.Tensor2D | null, c0: tf.Tensor2D | null, save: tf.GradSaveFunc,
): CustomGradResult {
  const attrs = {
    cell: spec.cell, relu: spec.nonlinearity === 'relu', steps: spec.steps, batch: spec.batch, hidden: spec.hidden, reverse: spec.reverse,
  };
  const optional: tf.NamedTensorMap = {};
  if (h0 !== null) optional.h0 = h0;
  if (c0 !== null) optional.c0 = c0;
  if (spec.lengths !== null) optional.lengths = spec.lengths;
  const outs = tf.engine().runKernel(RECURRENT_FORWARD, { projected, whh, bhh, ...optional }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  const [hs, gates, cs] = outs as [tf.Tensor3D, tf.Tensor2D | undefined, tf.Tensor3D | undefined];
  const names = Object.keys(optional);
  const kept: tf.Tensor[] = [hs, whh, ...names.map((n) => optional[n]!)];
  if (gates !== undefined) kept.push(gates);
  if (cs !== undefined) kept.push(cs);
  save(kept);
  return {
    value: hs,
    gradFunc: (dy, saved) => tf.tidy(() => {
      const [hsSaved, whhSaved, ...rest] = saved;
      const restored: tf.NamedTensorMap = {};
      names.forEach((n, i) => { restored[n] = rest[i]!; });
      const extra: tf.NamedTensorMap = {};
      if (gates !== undefined) extra.saved = rest[names.length]!;
      if (cs !== undefined) extra.cs = rest[names.length + 1]!;
      const [dProj, dW, dBias, dh0, dc0] = tf.engine().runKernel(RECURRENT_BACKWARD,
        { dy, hs: hsSaved!, whh: whhSaved!, ...restored, ...extra }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
      const grads: tf.Tensor[] = [dProj!, dW!];
      if (spec.cell === 'gru') grads.push(dBias!);
      if (h0 !== null) grads.push(dh0!);
      if (c0 !== null) grads.push(dc0!);
      return grads;
    }),
  };
}

/** The op-by-op implementation (any backend). */
function opsOp(
  spec: SequenceSpec, projected: tf.Tensor2D, whh: tf.Tensor2D, bhh: tf.Tensor1D,
  h0: tf.Tensor2D | null, c0: tf.Tensor2D | null, save: tf.GradSaveFunc,
): CustomGradResult {
  const masks = spec.lengths === null ? null : stepMasks(spec.lengths, spec.steps, spec.batch, spec.hidden);
  const { value, saved } = forward(spec, masks, projected, whh, bhh, h0, c0);
  const names = Object.keys(saved);
  save(names.flatMap((n) => saved[n]!));
  return {
    value,
    gradFunc: (dy, flat) => tf.tidy(() => {
      const restored: Saved = {};
      let at = 0;
      for (const n of names) {
        restored[n] = flat.slice(at, at + saved[n]!.length);
        at += saved[n]!.length;
      }
      return backward(spec, dy, restored, h0 !== null, c0 !== null);
    }),
  };
}

/** T × bool [B, H]: step t is valid for row b iff t < lengths[b]. */
function stepMasks(lengths: tf.Tensor1D, steps: number, batch: number, hidden: number): tf.Tensor2D[] {
  const valid = tf.less(tf.range(0, steps, 1, 'int32').reshape([steps, 1, 1]), lengths.cast('int32').reshape([1, batch, 1]));
  return unstackRows(tf.broadcastTo(valid, [steps, batch, hidden])) as tf.Tensor2D[];
}

/** Time indices in processing order. */
function order(spec: SequenceSpec): number[] {
  const ts = Array.from({ length: spec.steps }, (_, i) => i);
  return spec.reverse ? ts.reverse() : ts;
}

function forward(
  spec: SequenceSpec, masks: tf.Tensor2D[] | null, projected: tf.Tensor2D, whh: tf.Tensor2D, bhh: tf.Tensor1D,
  h0: tf.Tensor2D | null, c0: tf.Tensor2D | null,
): { value: tf.Tensor; saved: Saved } {
  const { steps: T, batch: B, hidden: H } = spec;
  const zeros = tf.zeros([B, H]) as tf.Tensor2D;
  const hs = new Array<tf.Tensor2D>(T);
  const cs = new Array<tf.Tensor2D>(T);
  const gates: Record<string, tf.Tensor[]> = {};
  const keep = (name: string, t: number, x: tf.Tensor) => { (gates[name] ??= new Array<tf.Tensor>(T))[t] = x; };
  let h = h0;
  let c = c0;
  const gru = spec.cell === 'gru';
  const xs = gru ? null : unstackRows(projected.reshape([T, B, -1])) as tf.Tensor2D[];
  const [xrz, xn] = gru ? splitGruInputs(projected, T, B, H) : [null, null];
  for (const t of order(spec)) {
    let hNew: tf.Tensor2D;
    let cNew: tf.Tensor2D | null = null;
    if (gru) {
      const gh = h === null ? bhh.reshape([1, 3 * H]) : tf.matMul(h, whh).add(bhh);       // [B|1, 3H]
      const [hrz, hn] = tf.split(gh, [2 * H, H], 1);
      const rz = tf.sigmoid(xrz![t]!.add(hrz!));
      const [r, z] = tf.split(rz, 2, 1) as tf.Tensor2D[];
      const n = tf.tanh(xn![t]!.add(r!.mul(hn!))) as tf.Tensor2D;
      hNew = h === null ? n.sub(z!.mul(n)) : n.add(z!.mul(h.sub(n)));
      keep('rz', t, rz); keep('r', t, r!); keep('z', t, z!); keep('n', t, n); keep('hn', t, hn!);
    } else if (spec.cell === 'rnn') {
      const pre = h === null ? xs![t]! : xs![t]!.add(tf.matMul(h, whh));
      hNew = (spec.nonlinearity === 'relu' ? tf.relu(pre) : tf.tanh(pre)) as tf.Tensor2D;
      keep('act', t, hNew);
    } else {
      const pre = h === null ? xs![t]! : xs![t]!.add(tf.matMul(h, whh));                 // [B, 4H]
      const [i, f, g, o] = tf.split(pre, 4, 1);
      const si = tf.sigmoid(i!), sf = tf.sigmoid(f!), tg = tf.tanh(g!), so = tf.sigmoid(o!);
      cNew = (c === null ? si.mul(tg) : sf.mul(c).add(si.mul(tg))) as tf.Tensor2D;
      const tc = tf.tanh(cNew);
      hNew = so.mul(tc) as tf.Tensor2D;
      keep('si', t, si); keep('sf', t, sf); keep('tg', t, tg); keep('so', t, so); keep('tc', t, tc);
    }
    if (masks !== null) {
      hNew = tf.where(masks[t]!, hNew, h ?? zeros);
      if (cNew !== null) cNew = tf.where(masks[t]!, cNew, c ?? zeros);
    }
    h = hs[t] = hNew;
    if (cNew !== null) c = cs[t] = cNew;
  }
  const outputs = tf.stack(hs);                                                             // [T, B, H]
  const value = spec.cell === 'lstm' ? tf.concat([outputs, c!.expandDims(0)], 0) : outputs;
  const saved: Saved = { whh: [whh], h0: [h0 ?? zeros], hs, ...gates };
  if (spec.cell === 'lstm') Object.assign(saved, { c0: [c0 ?? zeros], cs });
  if (masks !== null) saved.masks = masks;
  return { value, saved };
}

/** GRU inputs split once: T × [B, 2H] (r, z) and T × [B, H] (n). */
function splitGruInputs(projected: tf.Tensor2D, T: number, B: number, H: number): [tf.Tensor2D[], tf.Tensor2D[]] {
  const [rz, n] = tf.split(projected, [2 * H, H], 1);
  return [unstackRows(rz!.reshape([T, B, 2 * H])) as tf.Tensor2D[], unstackRows(n!.reshape([T, B, H])) as tf.Tensor2D[]];
}

/** Gradients for [projected, W_hh, (b_hh for GRU), (h0), (c0)]. */
function backward(spec: SequenceSpec, dy: tf.Tensor, s: Saved, hasH0: boolean, hasC0: boolean): tf.Tensor[] {
  const { steps: T, batch: B, hidden: H, cell } = spec;
  const one = tf.scalar(1);
  const zeros = tf.zeros([B, H]) as tf.Tensor2D;
  const whhT = tf.transpose(s.whh![0]!) as tf.Tensor2D;                                    // [G·H, H]
  const dOut = unstackRows(cell === 'lstm' ? dy.slice([0, 0, 0], [T, -1, -1]) : dy) as tf.Tensor2D[];
  const at = (name: string, t: number) => s[name]![t]! as tf.Tensor2D;
  const ts = order(spec);
  const prevOf = (name: 'hs' | 'cs', init: 'h0' | 'c0', k: number) => (k === 0 ? s[init]![0]! : s[name]![ts[k - 1]!]!) as tf.Tensor2D;
  const dg = new Array<tf.Tensor2D>(T);     // gradient at the pre-activations of h·W_hh (+ b_hh)
  const dxn = new Array<tf.Tensor2D>(T);    // GRU: the input side of n differs from the hidden side
  const hPrev = new Array<tf.Tensor2D>(T);
  let carryH: tf.Tensor2D | null = null;
  let carryC: tf.Tensor2D | null = cell === 'lstm' ? dy.slice([T, 0, 0], [1, -1, -1]).reshape([B, H]) as tf.Tensor2D : null;
  for (let k = T - 1; k >= 0; k--) {
    const t = ts[k]!;
    const hp = prevOf('hs', 'h0', k);
    hPrev[t] = hp;
    let dh: tf.Tensor2D = carryH === null ? dOut[t]! : dOut[t]!.add(carryH);
    let dc = carryC;
    let keepH: tf.Tensor2D | null = null;
    let keepC: tf.Tensor2D | null = null;
    const m = s.masks?.[t];
    if (m !== undefined) {
      keepH = tf.where(m, zeros, dh);
      dh = tf.where(m, dh, zeros);
      if (dc !== null) { keepC = tf.where(m, zeros, dc); dc = tf.where(m, dc, zeros); }
    }
    let direct: tf.Tensor2D | null = null;   // ∂h_t/∂h_{t−1} outside the matMul (GRU's z ⊙ h)
    if (cell === 'gru') {
      const z = at('z', t), n = at('n', t), hn = at('hn', t), rz = at('rz', t);
      direct = dh.mul(z);
      const dan = dh.sub(direct).mul(one.sub(n.square())) as tf.Tensor2D;                 // through tanh
      const dz = dh.mul(hp.sub(n));
      const drz = tf.concat([dan.mul(hn), dz], 1).mul(rz.mul(one.sub(rz)));               // through σ
      dg[t] = tf.concat([drz, dan.mul(at('r', t))], 1) as tf.Tensor2D;
      dxn[t] = dan;
    } else if (cell === 'rnn') {
      const act = at('act', t);
      const slope = spec.nonlinearity === 'relu' ? tf.step(act) : one.sub(act.square());
      dg[t] = dh.mul(slope) as tf.Tensor2D;
    } else {
      const si = at('si', t), sf = at('sf', t), tg = at('tg', t), so = at('so', t), tc = at('tc', t);
      const cp = prevOf('cs', 'c0', k);
      const dct = dh.mul(so).mul(one.sub(tc.square())).add(dc!);
      const sigmoidSlope = (y: tf.Tensor2D) => y.mul(one.sub(y));
      dg[t] = tf.concat([
        dct.mul(tg).mul(sigmoidSlope(si)), dct.mul(cp).mul(sigmoidSlope(sf)),
        dct.mul(si).mul(one.sub(tg.square())), dh.mul(tc).mul(sigmoidSlope(so)),
      ], 1) as tf.Tensor2D;
      carryC = dct.mul(sf) as tf.Tensor2D;
      if (keepC !== null) carryC = carryC.add(keepC);
    }
    if (k > 0 || hasH0) {
      carryH = tf.matMul(dg[t]!, whhT);
      if (direct !== null) carryH = carryH.add(direct);
      if (keepH !== null) carryH = carryH.add(keepH);
    }
  }
  const gh = dg[0]!.shape[1];
  const dG = tf.stack(dg).reshape([T * B, gh]) as tf.Tensor2D;                             // time-major rows
  const dW = tf.matMul(tf.stack(hPrev).reshape([T * B, H]) as tf.Tensor2D, dG, true, false); // Σ_t h_{t−1}ᵀ dg_t
  const grads: tf.Tensor[] = [];
  if (cell === 'gru') {
    const dProj = tf.concat([dG.slice([0, 0], [-1, 2 * H]), tf.stack(dxn).reshape([T * B, H])], 1);
    grads.push(dProj, dW, tf.sum(dG, 0));
  } else {
    grads.push(dG, dW);
  }
  if (hasH0) grads.push(carryH!);
  if (hasC0) grads.push(carryC!);
  return grads;
}
