/**
 * `SeqloomRecurrentForward`: one layer-direction of an RNN/GRU/LSTM over a whole sequence as ONE
 * kernel. Per step: one h·W_hh product through the backend's BatchMatMul, the gate pre-activations
 * of all rows in plain-array passes, σ/tanh over whole [B, ·] buffers through the backend
 * (host-ops.ts: wasm's SIMD σ — in JS they cost ~25 ns an element), then the new state.
 * Through tfjs ops the same step is ~13 engine ops (matMul, bias add, 2 splits, adds, sigmoid,
 * tanh, muls, the mask's where); at the d2l size (64 × 32) their per-op overhead, not arithmetic,
 * was the step.
 *
 * Every hot loop is its own small function of typed arrays and integers: V8 then optimizes each
 * whole (one loop inside a big function gets on-stack-replaced with too little type feedback for
 * the code after it, and deoptimizes on every call).
 *
 * Equations and gate order: PyTorch's (nn/cells.ts). Masking: with `lengths`, a step t ≥ length[b]
 * keeps row b's state (nn/recurrent.ts); such rows save zero gates.
 *
 *   inputs  projected [T·B, G·H] (x·W_ih + b_ih, plus b_hh for rnn/lstm; time-major rows),
 *           whh [H, G·H], bhh [G·H] (read by GRU only), h0 [B, H]?, c0 [B, H]? (LSTM), lengths int32 [B]?
 *   attrs   cell, relu (rnn), steps T, batch B, hidden H, reverse
 *   outputs hs [T, B, H] (state after each step, time order; LSTM: [T+1, B, H], the last row the
 *           final c, as nn/sequence.ts's op returns it); GRU/LSTM: saved gates [T·B, S]
 *           (GRU S = 4H: r, z, n, h·W_hn + b_hn; LSTM S = 5H: i, f, g, o, tanh(c)); LSTM: cs [T, B, H]
 */
import type * as tf from '@tensorflow/tfjs';
import { matMulInto, type HostOps } from './host-ops.js';

export type FusedCell = 'rnn' | 'gru' | 'lstm';

export interface RecurrentAttrs {
  cell: FusedCell;
  relu: boolean;
  steps: number;
  batch: number;
  hidden: number;
  reverse: boolean;
}

export const GATE_COUNT: Record<FusedCell, number> = { rnn: 1, gru: 3, lstm: 4 };
/** Saved gate values per row and hidden unit, in multiples of H. */
export const SAVED_WIDTH: Record<FusedCell, number> = { rnn: 0, gru: 4, lstm: 5 };

/** Time index of the k-th step processed. */
export function timeAt(attrs: RecurrentAttrs, k: number): number {
  return attrs.reverse ? attrs.steps - 1 - k : k;
}

export function recurrentForward(ops: HostOps, inputs: Record<string, tf.TensorInfo>, attrs: RecurrentAttrs): tf.TensorInfo[] {
  const { cell, steps: T, batch: B, hidden: H, relu } = attrs;
  const GH = GATE_COUNT[cell] * H;
  const S = SAVED_WIDTH[cell] * H;
  const BH = B * H;
  const lstm = cell === 'lstm';
  const xp = ops.read(inputs.projected!) as Float32Array;
  const bhh = cell === 'gru' ? ops.read(inputs.bhh!) as Float32Array : new Float32Array(0);
  const lengths = inputs.lengths === undefined ? null : ops.read(inputs.lengths) as Int32Array;
  const value = new Float32Array((lstm ? T + 1 : T) * BH);
  const hs = value.subarray(0, T * BH);
  const cs = new Float32Array(lstm ? T * BH : 0);
  const saved = new Float32Array(T * B * S);
  const gh = new Float32Array(B * GH);                       // h·W_hh of this step
  const a = new Float32Array(B * GH);                        // scratch
  const c = new Float32Array(BH);                            // scratch
  let hPrev = inputs.h0 === undefined ? new Float32Array(BH) : Float32Array.from(ops.read(inputs.h0));
  let cPrev = !lstm || inputs.c0 === undefined ? new Float32Array(BH) : Float32Array.from(ops.read(inputs.c0));
  let started = inputs.h0 !== undefined;
  for (let k = 0; k < T; k++) {
    const t = timeAt(attrs, k);
    if (started) matMulInto(ops, hPrev, B, H, inputs.whh!, gh, 0);
    else gh.fill(0);                                         // h = 0: skip the product
    const at = t * BH;
    if (cell === 'gru') {
      const rz = a.subarray(0, 2 * BH);
      gruGateInputs(xp, gh, bhh, rz, t, B, H);
      ops.activate('sigmoid', rz);
      gruCandidateInputs(xp, gh, bhh, rz, c, saved, t, B, H);
      ops.activate('tanh', c);
      gruState(rz, c, hPrev, hs, saved, t, B, H);
    } else if (lstm) {
      lstmGateInputs(xp, gh, a, c, t, B, H);
      ops.activate('sigmoid', a);
      ops.activate('tanh', c);
      lstmCellState(a, c, cPrev, cs, at, B, H);
      const tc = hs.subarray(at, at + BH);                     // tanh(c'), then h' = o ⊙ tanh(c')
      tc.set(cs.subarray(at, at + BH));
      ops.activate('tanh', tc);
      lstmState(a, c, tc, saved, t, B, H);
    } else {
      const pre = hs.subarray(at, at + BH);
      addRows(xp, gh, pre, at, BH);
      if (relu) reluInPlace(pre);
      else ops.activate('tanh', pre);
    }
    if (lengths !== null) keepPastLength(lengths, t, hPrev, cPrev, hs, lstm ? cs : null, saved, S, B, H);
    hPrev = hs.subarray(at, at + BH);
    if (lstm) cPrev = cs.subarray(at, at + BH);
    started = true;
  }
  if (lstm) value.set(cPrev, T * BH);                         // the final c (last step processed)
  const outputs = [ops.make([lstm ? T + 1 : T, B, H], value)];
  if (cell !== 'rnn') outputs.push(ops.make([T * B, S], saved));
  if (lstm) outputs.push(ops.make([T, B, H], cs));
  return outputs;
}

/** GRU: rz = x_rz + h W_rz + b_rz, [B, 2H]. */
function gruGateInputs(xp: Float32Array, gh: Float32Array, bhh: Float32Array, rz: Float32Array, t: number, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const x = (t * B + b) * 3 * H, g = b * 3 * H, o = b * 2 * H;
    for (let j = 0; j < 2 * H; j++) rz[o + j] = xp[x + j]! + gh[g + j]! + bhh[j]!;
  }
}

/** GRU: hn = h W_n + b_n (saved), n_pre = x_n + r ⊙ hn, [B, H]. */
function gruCandidateInputs(
  xp: Float32Array, gh: Float32Array, bhh: Float32Array, rz: Float32Array, n: Float32Array, saved: Float32Array,
  t: number, B: number, H: number,
): void {
  for (let b = 0; b < B; b++) {
    const x = (t * B + b) * 3 * H, g = b * 3 * H, o = b * 2 * H, sv = (t * B + b) * 4 * H;
    for (let j = 0; j < H; j++) {
      const hn = gh[g + 2 * H + j]! + bhh[2 * H + j]!;
      saved[sv + 3 * H + j] = hn;
      n[b * H + j] = xp[x + 2 * H + j]! + rz[o + j]! * hn;
    }
  }
}

/** GRU: h' = n + z ⊙ (h − n); saves r, z, n. */
function gruState(
  rz: Float32Array, n: Float32Array, hPrev: Float32Array, hs: Float32Array, saved: Float32Array, t: number, B: number, H: number,
): void {
  const at = t * B * H;
  for (let b = 0; b < B; b++) {
    const o = b * 2 * H, sv = (t * B + b) * 4 * H, row = b * H;
    for (let j = 0; j < H; j++) {
      const z = rz[o + H + j]!, nj = n[row + j]!;
      hs[at + row + j] = nj + z * (hPrev[row + j]! - nj);
      saved[sv + j] = rz[o + j]!; saved[sv + H + j] = z; saved[sv + 2 * H + j] = nj;
    }
  }
}

/** LSTM: gates = x + h W_hh, [B, 4H] (σ later applies to all four blocks); g block copied to [B, H]. */
function lstmGateInputs(xp: Float32Array, gh: Float32Array, gates: Float32Array, g: Float32Array, t: number, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const x = (t * B + b) * 4 * H, o = b * 4 * H;
    for (let j = 0; j < 4 * H; j++) gates[o + j] = xp[x + j]! + gh[o + j]!;
    for (let j = 0; j < H; j++) g[b * H + j] = gates[o + 2 * H + j]!;
  }
}

/** LSTM: c' = f ⊙ c + i ⊙ g. */
function lstmCellState(gates: Float32Array, g: Float32Array, cPrev: Float32Array, cs: Float32Array, at: number, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const o = b * 4 * H, row = b * H;
    for (let j = 0; j < H; j++) cs[at + row + j] = gates[o + H + j]! * cPrev[row + j]! + gates[o + j]! * g[row + j]!;
  }
}

/** LSTM: h' = o ⊙ tanh(c') in place of tc; saves i, f, g, o, tanh(c'). */
function lstmState(gates: Float32Array, g: Float32Array, tc: Float32Array, saved: Float32Array, t: number, B: number, H: number): void {
  for (let b = 0; b < B; b++) {
    const o = b * 4 * H, row = b * H, sv = (t * B + b) * 5 * H;
    for (let j = 0; j < H; j++) {
      const tcj = tc[row + j]!, oj = gates[o + 3 * H + j]!;
      saved[sv + j] = gates[o + j]!; saved[sv + H + j] = gates[o + H + j]!; saved[sv + 2 * H + j] = g[row + j]!;
      saved[sv + 3 * H + j] = oj; saved[sv + 4 * H + j] = tcj;
      tc[row + j] = oj * tcj;
    }
  }
}

/** out[i] = xp[at + i] + gh[i]. */
function addRows(xp: Float32Array, gh: Float32Array, out: Float32Array, at: number, n: number): void {
  for (let i = 0; i < n; i++) out[i] = xp[at + i]! + gh[i]!;
}

function reluInPlace(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) if (!(x[i]! > 0)) x[i] = 0;
}

/** Rows past their length keep the previous state (and save zero gates). */
function keepPastLength(
  lengths: Int32Array, t: number, hPrev: Float32Array, cPrev: Float32Array, hs: Float32Array, cs: Float32Array | null,
  saved: Float32Array, S: number, B: number, H: number,
): void {
  const at = t * B * H;
  for (let b = 0; b < B; b++) {
    if (t < lengths[b]!) continue;
    hs.set(hPrev.subarray(b * H, (b + 1) * H), at + b * H);
    if (cs !== null) cs.set(cPrev.subarray(b * H, (b + 1) * H), at + b * H);
    if (S > 0) saved.fill(0, (t * B + b) * S, (t * B + b + 1) * S);
  }
}
