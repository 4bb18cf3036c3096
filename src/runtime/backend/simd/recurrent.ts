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
import { heapGemmFor } from '../matmul-blas.js';
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
  const whh = m.ptr(inputs.whh!);
  // With a system BLAS (products.ts): the step's product straight from h_{t−1} (or its gathered
  // rows) into one buffer for all steps; else through the registered BatchMatMul (XNNPACK).
  const gemm = heapGemmFor(backend, B * GH * H);
  const ghbuf = gemm !== null ? m.ptr(m.temp([B, GH])) : 0;
  const rowsbuf = gemm !== null && compact !== null ? m.ptr(m.temp([B, H])) : 0;
  for (let s = 0; s < T; s++) {
    const t = timeAt(attrs, s);
    let product: tf.TensorInfo | null = null;
    let gh = zerosAt;
    if (compact !== null) {
      const A = compact.active[t]!;
      if (started && A > 0 && gemm !== null) {
        k.gather_rows(hPrev, rowsbuf, order, A, H);
        gemm(false, false, A, GH, H, rowsbuf, H, whh, GH, 0, ghbuf, GH);
        gh = ghbuf;
      } else if (started && A > 0) {                         // the A valid rows, longest first
        const left = backend.makeOutput([A, H], 'float32');
        k.gather_rows(hPrev, m.ptr(left), order, A, H);
        product = ops.matMul(left, inputs.whh!);
        ops.free(left);
      }
    } else if (started && gemm !== null) {
      gemm(false, false, B, GH, H, hPrev, H, whh, GH, 0, ghbuf, GH);
      gh = ghbuf;
    } else if (started) {                                    // h = 0 before: skip the product
      k.copy_f32(m.ptr(hbuf!), hPrev, BH);
      product = ops.matMul(hbuf!, inputs.whh!);
    }
    if (product !== null) gh = m.ptr(product);
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
  // With a system BLAS (products.ts) every product reads its operands in place: W_hhᵀ and
  // H_prevᵀ as transposed operands, no transposed copies. Else the registered BatchMatMul.
  const gemm = heapGemmFor(backend, B * GH * H);

  const dG = gru ? m.temp([TB, GH]) : m.output([TB, GH]);   // at h·W_hh (+ b_hh)
  const dProj = gru ? m.output([TB, GH]) : dG;
  const dh0 = m.output([B, H]);                              // the carried dh, then dh0
  const dc0 = m.output([B, H]);                              // the carried dc (LSTM), then dc0
  const whh = m.ptr(inputs.whh!);
  const whhT = gemm === null ? m.temp([GH, H]) : null;
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
  const dgbuf = compact === null && gemm === null ? m.temp([B, GH]) : null;  // the product's left operand
  const prodbuf = compact !== null && gemm !== null ? m.ptr(m.temp([B, H])) : 0;
  const dGc = compact === null ? dG : m.temp([Math.max(N, 1), GH]);
  // The state before each step, transposed [H, N]; with BLAS and all rows, dW reads hs instead.
  const hPrevT = compact === null && gemm !== null ? null : m.temp([H, Math.max(N, 1)]);
  const dGAt = m.ptr(dG), dProjAt = m.ptr(dProj), carryH = m.ptr(dh0), carryC = m.ptr(dc0);
  const zerosAt = m.ptr(zeros), extraAt = m.ptr(extra), dGcAt = m.ptr(dGc);
  const hPrevTAt = hPrevT === null ? 0 : m.ptr(hPrevT);
  const h0 = hasH0 ? m.ptr(inputs.h0!) : zerosAt;
  const c0 = lstm && inputs.c0 !== undefined ? m.ptr(inputs.c0) : zerosAt;
  k.fill_zero(zerosAt, BH);
  k.fill_zero(carryH, BH);
  if (lstm) k.copy_f32(carryC, dy + T * BH * F, BH);
  else k.fill_zero(carryC, BH);
  if (whhT !== null) k.transpose_f32(whh, m.ptr(whhT), H, GH, H);

  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(attrs, s);
    const prev = s === 0 ? -1 : timeAt(attrs, s - 1);         // -1: the initial state
    const hp = prev < 0 ? h0 : hs + prev * BH * F;
    const dyt = dy + t * BH * F, dgt = dGAt + t * B * GH * F;
    if (hPrevT !== null && compact === null) k.transpose_f32(hp, hPrevTAt + t * B * F, B, H, TB); // columns t·B … of [H, T·B]
    if (gru) {
      k.gru_bwd(dyt, carryH, saved + t * B * S * F, hp, dgt, dProjAt + t * B * GH * F, extraAt, lengths, t, B, H);
    } else if (lstm) {
      const cp = prev < 0 ? c0 : cs + prev * BH * F;
      k.lstm_bwd(dyt, carryH, carryC, saved + t * B * S * F, cp, dgt, extraAt, lengths, t, B, H);
    } else {
      k.rnn_bwd(dyt, carryH, hs + t * BH * F, dgt, extraAt, lengths, t, B, H, relu);
    }
    const carries = s > 0 || hasH0;
    if (compact === null) {
      if (carries && gemm !== null) {                          // dh_{t−1} = extra + dg_t·W_hhᵀ
        k.copy_f32(carryH, extraAt, BH);
        gemm(false, true, B, H, GH, dgt, GH, whh, GH, 1, carryH, H);
      } else if (carries) {
        k.copy_f32(m.ptr(dgbuf!), dgt, B * GH);
        const product = ops.matMul(dgbuf!, whhT!);
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
    if (!carries) continue;
    if (A === 0) {
      k.copy_f32(carryH, extraAt, BH);
    } else if (gemm !== null) {
      gemm(false, true, A, H, GH, dGcAt + at * GH * F, GH, whh, GH, 0, prodbuf, H);
      k.scatter_add_rows(prodbuf, extraAt, carryH, compact.order, A, B, H);
    } else {
      const left = backend.makeOutput([A, GH], 'float32');
      k.copy_f32(m.ptr(left), dGcAt + at * GH * F, A * GH);
      const product = ops.matMul(left, whhT!);
      k.scatter_add_rows(m.ptr(product), extraAt, carryH, compact.order, A, B, H);
      ops.free(left);
      ops.free(product);
    }
  }
  // Σ_t h_{t−1}ᵀ dg_t, with H_prevᵀ built transposed: tfjs-wasm's transposeA path is ~25% slower.
  let dW: tf.TensorInfo;
  if (N > 0 && gemm === null) {
    dW = ops.matMul(hPrevT!, dGc);
  } else {
    dW = m.output([H, GH]);
    const dWAt = m.ptr(dW);
    if (N === 0) k.fill_zero(dWAt, H * GH);
    else if (hPrevT !== null) gemm!(false, false, H, GH, N, hPrevTAt, N, dGcAt, GH, 0, dWAt, GH);
    else weightGradientFromStates(gemm!, attrs, hs, h0, hasH0, dGAt, dWAt, k);
  }
  const dbhh = m.output([GH]);
  if (gru) k.col_sums_f32(dGcAt, m.ptr(dbhh), N, GH);
  else k.fill_zero(m.ptr(dbhh), GH);
  if (!hasH0) k.fill_zero(carryH, BH);
  m.done();
  return [dProj, dW, dbhh, dh0, dc0];
}

/**
 * dW = Σ_t h_{t−1}ᵀ dg_t read in place: the states before steps 1 … T−1 (in processing order) are
 * T−1 consecutive rows blocks of hs — hs[0 … T−2] forwards, hs[1 … T−1] reversed — against the
 * matching blocks of dG: one transposed-A product, plus h0ᵀ·dG at the first step when given.
 */
function weightGradientFromStates(
  gemm: NonNullable<ReturnType<typeof heapGemmFor>>, attrs: RecurrentAttrs, hs: number, h0: number, hasH0: boolean,
  dG: number, dW: number, k: SimdExports,
): void {
  const { steps: T, batch: B, hidden: H } = attrs;
  const GH = GATE_COUNT[attrs.cell] * H;
  const first = timeAt(attrs, 0);                             // the step whose h_prev is h0
  let beta = 0;
  if (T > 1) {
    const states = attrs.reverse ? hs + B * H * F : hs;       // h rows feeding steps after the first
    const grads = attrs.reverse ? dG : dG + B * GH * F;
    gemm(true, false, H, GH, (T - 1) * B, states, H, grads, GH, 0, dW, GH);
    beta = 1;
  }
  if (hasH0) gemm(true, false, H, GH, B, h0, H, dG + first * B * GH * F, GH, beta, dW, GH);
  else if (beta === 0) k.fill_zero(dW, H * GH);
}
