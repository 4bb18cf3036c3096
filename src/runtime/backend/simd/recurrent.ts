/**
 * The fused recurrences (`SeqloomRecurrentForward` / `Backward`) on the wasm backend with
 * seqloom's SIMD kernels (kernels.c): same inputs, attrs, outputs and saved layouts as the JS
 * path (recurrent-forward.ts, recurrent-backward.ts — the reference), so either may run a
 * forward and the other its backward.
 *
 * Everything stays in the wasm heap: outputs and scratch are allocated up front with makeOutput,
 * and per step the only work outside the C kernels is tfjs's BatchMatMul (XNNPACK; W_hh stays the
 * same tensor across steps, so its packed weights are reused) on a [B, ·] tensor the step's rows
 * are copied into. Pointers are byte offsets; tfjs's allocations may grow the memory, which
 * leaves offsets valid (nothing here holds a view of the heap).
 *
 * Compact rows (with lengths, when some row is shorter than T; `setCompactRows`): the rows are
 * processed in an order sorted by length, longest first (stable), so the rows valid at step t are
 * a prefix of A_t rows. Each step's product then multiplies those A_t rows only (gathered into
 * an [A_t, ·] tensor in that order; the C step reads product row i for row order[i]), and
 * backward, dW = H_prevᵀ·dG runs over the valid (row, step) pairs only (the others have dG = 0),
 * gathered compactly. The sort is internal: inputs and outputs keep their row order.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmBackend } from '../kernel-args.js';
import type { HostOps } from '../host-ops.js';
import { GATE_COUNT, SAVED_WIDTH, timeAt, type RecurrentAttrs } from '../recurrent-forward.js';
import { heapOffset, type SimdExports, type WasmHeapBackend } from './loader.js';

const F = 4; // bytes per float32

type Backend = WasmBackend & WasmHeapBackend;

let compactRows = true;

/** true (the default): with lengths, multiply only the rows still running (see above); false: all B rows. */
export function setCompactRows(on: boolean): void {
  compactRows = on;
}

/** The row order (longest first, stable) and A_t (rows valid at step t) when compacting pays; else null. */
interface Compact { order: number; active: Int32Array }

function compactOf(backend: Backend, m: ReturnType<typeof scope>, lengths: tf.TensorInfo | undefined, T: number, B: number): Compact | null {
  if (!compactRows || lengths === undefined) return null;
  const len = Int32Array.from(backend.typedArrayFromHeap(lengths) as ArrayLike<number>);
  let min = T;
  for (let b = 0; b < B; b++) min = Math.min(min, len[b]!);
  if (min >= T) return null;                                 // every row runs every step: nothing to skip
  const rows = Array.from({ length: B }, (_, b) => b).sort((a, b) => len[b]! - len[a]! || a - b);
  const active = new Int32Array(T);
  let n = B;
  for (let t = 0; t < T; t++) {
    while (n > 0 && len[rows[n - 1]!]! <= t) n--;
    active[t] = n;
  }
  const order = m.tempInt([B]);
  (backend.typedArrayFromHeap(order) as Int32Array).set(rows);
  return { order: m.ptr(order), active };
}

function scope(backend: Backend) {
  const scratch: tf.TensorInfo[] = [];
  return {
    /** An output tensor (not freed here). */
    output: (shape: number[]) => backend.makeOutput(shape, 'float32'),
    /** A scratch tensor, freed by done(). */
    temp: (shape: number[]) => {
      const t = backend.makeOutput(shape, 'float32');
      scratch.push(t);
      return t;
    },
    /** An int32 scratch tensor, freed by done(). */
    tempInt: (shape: number[]) => {
      const t = backend.makeOutput(shape, 'int32');
      scratch.push(t);
      return t;
    },
    ptr: (t: tf.TensorInfo) => heapOffset(backend, t),
    done: () => { for (const t of scratch) backend.disposeData(t.dataId as object); },
  };
}

export function recurrentForwardSimd(
  k: SimdExports, backend: Backend, ops: HostOps, inputs: Record<string, tf.TensorInfo>, attrs: RecurrentAttrs,
): tf.TensorInfo[] {
  const { cell, steps: T, batch: B, hidden: H } = attrs;
  const relu = attrs.relu ? 1 : 0;
  const GH = GATE_COUNT[cell] * H;
  const S = SAVED_WIDTH[cell] * H;
  const BH = B * H;
  const lstm = cell === 'lstm';
  const m = scope(backend);
  const value = m.output([lstm ? T + 1 : T, B, H]);
  const saved = cell === 'rnn' ? null : m.output([T * B, S]);
  const cs = lstm ? m.output([T, B, H]) : null;
  const zeros = m.temp([B * GH]);                            // h·W_hh while h = 0; h0, c0 when absent
  const compact = compactOf(backend, m, inputs.lengths, T, B);
  const order = compact === null ? 0 : compact.order;
  const hbuf = compact === null ? m.temp([B, H]) : null;    // the product's left operand (all rows)
  const zerosAt = m.ptr(zeros);
  k.fill_zero(zerosAt, B * GH);
  const xp = m.ptr(inputs.projected!);
  const bhh = cell === 'gru' ? m.ptr(inputs.bhh!) : 0;
  const lengths = inputs.lengths === undefined ? 0 : m.ptr(inputs.lengths);
  const valueAt = m.ptr(value), savedAt = saved === null ? 0 : m.ptr(saved), csAt = cs === null ? 0 : m.ptr(cs);
  let hPrev = inputs.h0 === undefined ? zerosAt : m.ptr(inputs.h0);
  let cPrev = !lstm || inputs.c0 === undefined ? zerosAt : m.ptr(inputs.c0);
  let started = inputs.h0 !== undefined;
  for (let s = 0; s < T; s++) {
    const t = timeAt(attrs, s);
    let product: tf.TensorInfo | null = null;
    if (compact !== null) {
      const A = compact.active[t]!;
      if (started && A > 0) {                                // the A valid rows, longest first
        const left = backend.makeOutput([A, H], 'float32');
        k.gather_rows(hPrev, m.ptr(left), order, A, H);
        product = ops.matMul(left, inputs.whh!);
        ops.free(left);
      }
    } else if (started) {                                    // h = 0 before: skip the product
      k.copy_f32(m.ptr(hbuf!), hPrev, BH);
      product = ops.matMul(hbuf!, inputs.whh!);
    }
    const gh = product === null ? zerosAt : m.ptr(product);
    const x = xp + t * B * GH * F, h = valueAt + t * BH * F;
    if (cell === 'gru') {
      k.gru_fwd(x, gh, bhh, hPrev, h, savedAt + t * B * S * F, lengths, order, t, B, H);
    } else if (lstm) {
      const c = csAt + t * BH * F;
      k.lstm_fwd(x, gh, hPrev, cPrev, h, c, savedAt + t * B * S * F, lengths, order, t, B, H);
      cPrev = c;
    } else {
      k.rnn_fwd(x, gh, hPrev, h, lengths, order, t, B, H, relu);
    }
    if (product !== null) ops.free(product);
    hPrev = h;
    started = true;
  }
  if (lstm) k.copy_f32(valueAt + T * BH * F, cPrev, BH);   // the final c (last step processed)
  m.done();
  const outputs = [value];
  if (saved !== null) outputs.push(saved);
  if (cs !== null) outputs.push(cs);
  return outputs;
}

export function recurrentBackwardSimd(
  k: SimdExports, backend: Backend, ops: HostOps, inputs: Record<string, tf.TensorInfo>, attrs: RecurrentAttrs,
): tf.TensorInfo[] {
  const { cell, steps: T, batch: B, hidden: H } = attrs;
  const relu = attrs.relu ? 1 : 0;
  const GH = GATE_COUNT[cell] * H;
  const S = SAVED_WIDTH[cell] * H;
  const BH = B * H;
  const TB = T * B;
  const gru = cell === 'gru', lstm = cell === 'lstm';
  const hasH0 = inputs.h0 !== undefined;
  const m = scope(backend);
  const dy = m.ptr(inputs.dy!), hs = m.ptr(inputs.hs!);
  const saved = cell === 'rnn' ? 0 : m.ptr(inputs.saved!);
  const cs = lstm ? m.ptr(inputs.cs!) : 0;
  const lengths = inputs.lengths === undefined ? 0 : m.ptr(inputs.lengths);

  const dG = gru ? m.temp([TB, GH]) : m.output([TB, GH]);   // at h·W_hh (+ b_hh)
  const dProj = gru ? m.output([TB, GH]) : dG;
  const dh0 = m.output([B, H]);                              // the carried dh, then dh0
  const dc0 = m.output([B, H]);                              // the carried dc (LSTM), then dc0
  const whhT = m.temp([GH, H]);
  const zeros = m.temp([BH]);
  const extra = m.temp([B, H]);                              // dh_{t−1} terms outside the product
  const compact = compactOf(backend, m, inputs.lengths, T, B);
  // Compact: the valid (row, step) pairs only, step by step (offsets), rows longest first.
  const offsets = new Int32Array(T);
  let N = TB;
  if (compact !== null) {
    N = 0;
    for (let t = 0; t < T; t++) { offsets[t] = N; N += compact.active[t]!; }
  }
  const dgbuf = compact === null ? m.temp([B, GH]) : null;  // the product's left operand
  const dGc = compact === null ? dG : m.temp([Math.max(N, 1), GH]);
  const hPrevT = m.temp([H, Math.max(N, 1)]);               // the state before each step, transposed
  const dGAt = m.ptr(dG), dProjAt = m.ptr(dProj), carryH = m.ptr(dh0), carryC = m.ptr(dc0);
  const zerosAt = m.ptr(zeros), extraAt = m.ptr(extra), hPrevTAt = m.ptr(hPrevT), dGcAt = m.ptr(dGc);
  const h0 = hasH0 ? m.ptr(inputs.h0!) : zerosAt;
  const c0 = lstm && inputs.c0 !== undefined ? m.ptr(inputs.c0) : zerosAt;
  k.fill_zero(zerosAt, BH);
  k.fill_zero(carryH, BH);
  if (lstm) k.copy_f32(carryC, dy + T * BH * F, BH);
  else k.fill_zero(carryC, BH);
  k.transpose_f32(m.ptr(inputs.whh!), m.ptr(whhT), H, GH, H);

  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(attrs, s);
    const prev = s === 0 ? -1 : timeAt(attrs, s - 1);         // -1: the initial state
    const hp = prev < 0 ? h0 : hs + prev * BH * F;
    const dyt = dy + t * BH * F, dgt = dGAt + t * B * GH * F;
    if (compact === null) k.transpose_f32(hp, hPrevTAt + t * B * F, B, H, TB); // columns t·B … t·B + B − 1 of [H, T·B]
    if (gru) {
      k.gru_bwd(dyt, carryH, saved + t * B * S * F, hp, dgt, dProjAt + t * B * GH * F, extraAt, lengths, t, B, H);
    } else if (lstm) {
      const cp = prev < 0 ? c0 : cs + prev * BH * F;
      k.lstm_bwd(dyt, carryH, carryC, saved + t * B * S * F, cp, dgt, extraAt, lengths, t, B, H);
    } else {
      k.rnn_bwd(dyt, carryH, hs + t * BH * F, dgt, extraAt, lengths, t, B, H, relu);
    }
    if (compact === null) {
      if (s > 0 || hasH0) {
        k.copy_f32(m.ptr(dgbuf!), dgt, B * GH);
        const product = ops.matMul(dgbuf!, whhT);
        k.add_f32(m.ptr(product), extraAt, carryH, BH);
        ops.free(product);
      }
      continue;
    }
    const A = compact.active[t]!, at = offsets[t]!;
    if (A > 0) {                                             // the valid rows' dg and h_prev, compacted
      k.gather_rows(dgt, dGcAt + at * GH * F, compact.order, A, GH);
      k.gather_transpose_f32(hp, compact.order, A, H, hPrevTAt + at * F, N);
    }
    if (s > 0 || hasH0) {
      if (A > 0) {
        const left = backend.makeOutput([A, GH], 'float32');
        k.copy_f32(m.ptr(left), dGcAt + at * GH * F, A * GH);
        const product = ops.matMul(left, whhT);
        k.scatter_add_rows(m.ptr(product), extraAt, carryH, compact.order, A, B, H);
        ops.free(left);
        ops.free(product);
      } else {
        k.copy_f32(carryH, extraAt, BH);
      }
    }
  }
  // Σ_t h_{t−1}ᵀ dg_t, with H_prevᵀ built transposed: tfjs-wasm's transposeA path is ~25% slower.
  let dW: tf.TensorInfo;
  if (N > 0) {
    dW = ops.matMul(hPrevT, dGc);
  } else {
    dW = m.output([H, GH]);
    k.fill_zero(m.ptr(dW), H * GH);
  }
  const dbhh = m.output([GH]);
  if (gru) k.col_sums_f32(dGcAt, m.ptr(dbhh), N, GH);
  else k.fill_zero(m.ptr(dbhh), GH);
  if (!hasH0) k.fill_zero(carryH, BH);
  m.done();
  return [dProj, dW, dbhh, dh0, dc0];
}
