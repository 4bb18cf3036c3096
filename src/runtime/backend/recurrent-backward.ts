/**
 * `SeqloomRecurrentBackward`: backpropagation through time for `SeqloomRecurrentForward`, as ONE
 * kernel. Walking the steps backwards, each step computes the gradient at the pre-activations of
 * h·W_hh (+ b_hh) for every row in one pass over plain arrays, and carries dh to the previous step
 * with one dg·W_hhᵀ product through the backend. W_hh's gradient is ONE product over all steps,
 * H_prevᵀ·DG ([T·B, H]ᵀ·[T·B, G·H]); b_hh's (GRU) the column sums of DG. Hot loops are small leaf
 * functions (see recurrent-forward.ts for why).
 *
 * The math is nn/sequence.ts's op-by-op backward (same masking rule: a row past its length passes
 * dh and dc through unchanged and contributes no gate gradient).
 *
 *   inputs  dy [T, B, H] (LSTM: [T + 1, B, H], the last row d c_T), hs, saved (GRU/LSTM), cs (LSTM),
 *           whh [H, G·H], h0?, c0?, lengths?       attrs: as the forward's
 *   outputs dProjected [T·B, G·H], dW_hh [H, G·H], db_hh [G·H] (GRU; zeros otherwise),
 *           dh0 [B, H], dc0 [B, H] (zeros when absent)
 */
import type * as tf from '@tensorflow/tfjs';
import { matMulInto, type HostOps } from './host-ops.js';
import { GATE_COUNT, SAVED_WIDTH, timeAt, type RecurrentAttrs } from './recurrent-forward.js';

/** [rows, cols] → [cols, rows]. */
function transposed(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

export function recurrentBackward(ops: HostOps, inputs: Record<string, tf.TensorInfo>, attrs: RecurrentAttrs): tf.TensorInfo[] {
  const { cell, steps: T, batch: B, hidden: H } = attrs;
  const GH = GATE_COUNT[cell] * H;
  const BH = B * H;
  const TB = T * B;
  const dy = ops.read(inputs.dy!) as Float32Array;
  const hs = ops.read(inputs.hs!) as Float32Array;
  const saved = cell === 'rnn' ? new Float32Array(0) : ops.read(inputs.saved!) as Float32Array;
  const cs = cell === 'lstm' ? ops.read(inputs.cs!) as Float32Array : new Float32Array(0);
  const lengths = inputs.lengths === undefined ? new Int32Array(B).fill(T) : ops.read(inputs.lengths) as Int32Array;
  const hasH0 = inputs.h0 !== undefined;
  const h0 = hasH0 ? ops.read(inputs.h0!) as Float32Array : new Float32Array(BH);
  const c0 = inputs.c0 === undefined ? new Float32Array(BH) : ops.read(inputs.c0) as Float32Array;
  const whhT = ops.make([GH, H], transposed(ops.read(inputs.whh!) as Float32Array, H, GH));

  const dG = new Float32Array(TB * GH);                       // at h·W_hh (+ b_hh)
  const dProj = cell === 'gru' ? new Float32Array(TB * GH) : dG;
  const carryH = new Float32Array(BH);
  const carryC = cell === 'lstm' ? dy.slice(T * BH, (T + 1) * BH) : new Float32Array(0);
  const extra = new Float32Array(BH);                          // dh_{t−1} terms outside the product
  const product = new Float32Array(BH);
  const hPrev = new Float32Array(TB * H);                      // the state before each step, time-major
  for (let k = T - 1; k >= 0; k--) {
    const t = timeAt(attrs, k);
    const prevAt = k === 0 ? -1 : timeAt(attrs, k - 1) * BH;   // -1: the initial state
    const hp = prevAt < 0 ? h0 : hs.subarray(prevAt, prevAt + BH);
    hPrev.set(hp, t * BH);
    if (cell === 'gru') {
      gruStepBack(dy, carryH, saved, hp, lengths, dG, dProj, extra, t, B, H);
    } else if (cell === 'lstm') {
      const cp = prevAt < 0 ? c0 : cs.subarray(prevAt, prevAt + BH);
      lstmStepBack(dy, carryH, carryC, saved, cp, lengths, dG, extra, t, B, H);
    } else {
      rnnStepBack(dy, carryH, hs, lengths, dG, extra, attrs.relu, t, B, H);
    }
    if (k > 0 || hasH0) {
      matMulInto(ops, dG.subarray(t * B * GH, (t + 1) * B * GH), B, GH, whhT, product, 0);
      addInto(product, extra, carryH);
    }
  }
  ops.free(whhT);

  const hPrevTensor = ops.make([TB, H], hPrev);
  const dGTensor = ops.make([TB, GH], dG);
  const dW = ops.matMul(hPrevTensor, dGTensor, true);         // Σ_t h_{t−1}ᵀ dg_t
  ops.free(hPrevTensor);
  const outputs = [
    cell === 'gru' ? ops.make([TB, GH], dProj) : dGTensor,
    dW,
    ops.make([GH], cell === 'gru' ? columnSums(dG, TB, GH) : new Float32Array(GH)),
    ops.make([B, H], hasH0 ? carryH : new Float32Array(BH)),
    ops.make([B, H], cell === 'lstm' ? carryC : new Float32Array(BH)),
  ];
  if (cell === 'gru') ops.free(dGTensor);
  return outputs;
}

/**
 * GRU, one step t for all rows: dh = dy_t + carry; dG = [dr, dz, dan ⊙ r] at (h W_hh + b_hh),
 * dProj = [dr, dz, dan] at the projected input; extra = dh ⊙ z (h's direct path), or dh for a row
 * past its length.
 */
function gruStepBack(
  dy: Float32Array, carryH: Float32Array, saved: Float32Array, hp: Float32Array, lengths: Int32Array,
  dG: Float32Array, dProj: Float32Array, extra: Float32Array, t: number, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * H, y = t * B * H + row;
    if (t >= lengths[b]!) {
      for (let j = 0; j < H; j++) extra[row + j] = dy[y + j]! + carryH[row + j]!;
      continue;
    }
    const g = (t * B + b) * 3 * H, sv = (t * B + b) * 4 * H;
    for (let j = 0; j < H; j++) {
      const dh = dy[y + j]! + carryH[row + j]!;
      const r = saved[sv + j]!, z = saved[sv + H + j]!, n = saved[sv + 2 * H + j]!, hn = saved[sv + 3 * H + j]!;
      const dan = dh * (1 - z) * (1 - n * n);                 // through tanh
      const dr = dan * hn * r * (1 - r);                      // through σ
      const dz = dh * (hp[row + j]! - n) * z * (1 - z);
      dG[g + j] = dr; dG[g + H + j] = dz; dG[g + 2 * H + j] = dan * r;
      dProj[g + j] = dr; dProj[g + H + j] = dz; dProj[g + 2 * H + j] = dan;
      extra[row + j] = dh * z;
    }
  }
}

/** LSTM, one step t: dG = [di, df, dg, do]; carryC ← dct ⊙ f (unchanged past a row's length). */
function lstmStepBack(
  dy: Float32Array, carryH: Float32Array, carryC: Float32Array, saved: Float32Array, cp: Float32Array, lengths: Int32Array,
  dG: Float32Array, extra: Float32Array, t: number, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * H, y = t * B * H + row;
    if (t >= lengths[b]!) {
      for (let j = 0; j < H; j++) extra[row + j] = dy[y + j]! + carryH[row + j]!;
      continue;
    }
    const g = (t * B + b) * 4 * H, sv = (t * B + b) * 5 * H;
    for (let j = 0; j < H; j++) {
      const dh = dy[y + j]! + carryH[row + j]!;
      const i = saved[sv + j]!, f = saved[sv + H + j]!, gg = saved[sv + 2 * H + j]!, o = saved[sv + 3 * H + j]!;
      const tc = saved[sv + 4 * H + j]!;
      const dct = dh * o * (1 - tc * tc) + carryC[row + j]!;
      dG[g + j] = dct * gg * i * (1 - i);
      dG[g + H + j] = dct * cp[row + j]! * f * (1 - f);
      dG[g + 2 * H + j] = dct * i * (1 - gg * gg);
      dG[g + 3 * H + j] = dh * tc * o * (1 - o);
      carryC[row + j] = dct * f;
      extra[row + j] = 0;
    }
  }
}

/** RNN, one step t: dG = dh ⊙ act'(h) with act' from the output (tanh: 1 − h², relu: h > 0). */
function rnnStepBack(
  dy: Float32Array, carryH: Float32Array, hs: Float32Array, lengths: Int32Array,
  dG: Float32Array, extra: Float32Array, relu: boolean, t: number, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    const row = b * H, y = t * B * H + row;
    const valid = t < lengths[b]!;
    for (let j = 0; j < H; j++) {
      const dh = dy[y + j]! + carryH[row + j]!;
      if (!valid) { extra[row + j] = dh; continue; }
      const a = hs[y + j]!;
      dG[y + j] = relu ? (a > 0 ? dh : 0) : dh * (1 - a * a);
      extra[row + j] = 0;
    }
  }
}

/** out[i] = a[i] + b[i]. */
function addInto(a: Float32Array, b: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) out[i] = a[i]! + b[i]!;
}

/** Σ over rows of x [rows, cols], accumulated in float64. */
function columnSums(x: Float32Array, rows: number, cols: number): Float32Array {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    for (let j = 0; j < cols; j++) acc[j] += x[at + j]!;
  }
  return Float32Array.from(acc);
}
