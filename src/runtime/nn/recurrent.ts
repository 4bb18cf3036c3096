/**
 * Multi-layer, optionally bidirectional RNN/GRU/LSTM over a whole sequence (`runRecurrent`) or one
 * step at a time (`recurrentStep`), masked by valid length.
 *
 * How a sequence runs (layer by layer, time-major, like cuDNN):
 *   x [B, T, In] → transpose → [T, B, In] → reshape [T·B, In]
 *   per layer and direction: ONE matMul projects every step's input → [T·B, G·H]
 *   the recurrence (sequence.ts, one op with a hand-written backward): per step one fused h·W_hh
 *   matMul and the gate math → [T, B, H] (both directions: concat → [T, B, 2H]) → next layer's input
 * Time-major keeps each step's slice contiguous, so unstack/stack are plain copies (see
 * backend/kernels.ts for why that matters on wasm).
 *
 * Input parts: the first layer's input may be given as parts concatenated on the feature axis, some
 * of them one vector per sentence that is the same at every step (`repeated(context)`: d2l's
 * encoder context beside each target embedding). Such a part's share of the input projection,
 * context·W_ih[rows], is computed once per sentence ([B, G·H]) and added to every step, instead of
 * tiling the vector over T and multiplying T copies: the same sum, without the [B, T, D] copy and
 * T times fewer multiply-adds for that part. A part may also be an embedding lookup
 * (`embedded(params, ids)`): when the vocabulary has fewer rows than the batch has steps (V < B·T),
 * its projection is a lookup in the projected table E·W_ih[rows] [V, G·H] — V rows multiplied
 * instead of B·T (forward, and both products of the backward) — else the vectors are looked up and
 * multiplied as usual.
 *
 * Masking: with `lengths`, a step t ≥ length[b] leaves row b's state unchanged, so the final state is
 * the state at each sequence's length (pack_padded_sequence semantics; the reverse direction starts
 * at its last valid token) and padding never changes a result. Outputs past a length hold the frozen
 * state (callers mask them).
 */
import * as tf from '@tensorflow/tfjs';
import { unstackRows } from './unstack.js';
import { inputBias, layerWeights, projectInputs, stepCell, type LayerWeights } from './cells.js';
import { dropout, embedding, repeatOverTime } from './layers.js';
import { directions, type CellKind, type EmbeddingParams, type RecurrentConfig, type RecurrentParams } from './params.js';
import type { Rng } from './rng.js';
import { runCellSequence, type SequenceResult } from './sequence.js';

/** Final (or carried) state: h [L·dirs, B, H], PyTorch's row order (layer-major, forward first). */
export interface RecurrentState { h: tf.Tensor3D; c?: tf.Tensor3D }
export interface RnnState { h: tf.Tensor3D }
export interface GruState { h: tf.Tensor3D }
export interface LstmState { h: tf.Tensor3D; c: tf.Tensor3D }

export interface RecurrentRunOptions {
  /** int32 [B]: valid length of each sequence; absent = all T steps valid. */
  lengths?: tf.Tensor1D;
  /** Initial state (e.g. the encoder's final state); absent = zeros. */
  init?: RecurrentState;
  /** Enables dropout between layers. */
  training?: boolean;
  /** Draws the dropout masks; required when training with dropout > 0. */
  rng?: Rng;
}

export interface RecurrentStepOptions { training?: boolean; rng?: Rng }

/** A vector per sentence [B, D] that is part of the input at every step (see `repeated`). */
export interface RepeatedInput { repeated: tf.Tensor2D }

/** Token ids [B, T] whose embedding vectors (`params.weight` [V, D]) are part of the input. */
export interface EmbeddedInput { embedded: EmbeddingParams; ids: tf.Tensor2D }

/** One part of a layered input: a sequence [B, T, D], a per-sentence vector repeated over T, or embedded ids. */
export type RecurrentInputPart = tf.Tensor3D | RepeatedInput | EmbeddedInput;

let partsEnabled = true;

/**
 * Turns input parts off (false): runRecurrent then concatenates the parts as written (repeated
 * vectors tiled over T, ids looked up) and projects the whole — for benchmarks measuring what the
 * parts buy, and tests. On by default.
 */
export function setInputParts(on: boolean): void {
  partsEnabled = on;
}

/** Marks a per-sentence vector [B, D] as the same input at every step of a runRecurrent input. */
export function repeated(x: tf.Tensor2D): RepeatedInput {
  return { repeated: x };
}

/** The embedding of ids [B, T] as a runRecurrent input part (equal to `embedding(params, ids)`). */
export function embedded(params: EmbeddingParams, ids: tf.Tensor2D): EmbeddedInput {
  return { embedded: params, ids };
}

/**
 * x [B, T, In] → output [B, T, H·dirs] and the final state. x may also be a list of parts whose
 * widths add up to In, concatenated in that order: sequences [B, T, D], `repeated(v)` vectors [B, D]
 * and `embedded(params, ids)` lookups (at least one sequence or lookup). The result equals running on
 * the concatenation, with v tiled and the ids embedded.
 */
export function runRecurrent(
  cfg: RecurrentConfig, params: RecurrentParams, x: tf.Tensor3D | readonly RecurrentInputPart[], opts: RecurrentRunOptions = {},
): { output: tf.Tensor3D; state: RecurrentState } {
  const dirs = directions(cfg);
  return tf.tidy(() => {
    const parts = splitParts(x, cfg.inputSize);
    const { batch, steps } = parts;
    const initial = opts.init === undefined ? null : checkedState(cfg, opts.init, batch);
    const lengths = opts.lengths === undefined ? null : checkedLengths(opts.lengths, batch);
    let validRows: ValidRows | null | undefined;                                  // computed on first use
    const valid = (): ValidRows | null => (validRows === undefined ? (validRows = validRowIndex(lengths, steps, batch)) : validRows);
    const h0 = initial === null ? null : unstackRows(initial.h) as tf.Tensor2D[];
    const c0 = initial?.c === undefined ? null : unstackRows(initial.c) as tf.Tensor2D[];
    const hs: tf.Tensor2D[] = [];
    const cs: tf.Tensor2D[] = [];
    let input: tf.Tensor3D | null = null;                                      // [T, B, In_l]; layer 0: its sequences
    if (parts.sequences.length > 0) {
      const sequence = parts.sequences.length === 1 ? parts.sequences[0]! : tf.concat(parts.sequences, 2);
      input = tf.transpose(sequence, [1, 0, 2]) as tf.Tensor3D;
    }
    for (let layer = 0; layer < cfg.layers; layer++) {
      const flat = input === null ? null : input.reshape([steps * batch, input.shape[2]]) as tf.Tensor2D; // [T·B, In_l]
      const outs: tf.Tensor3D[] = [];
      for (let d = 0; d < dirs; d++) {
        const k = layer * dirs + d;
        const w = layerWeights(params, layer, d);
        const projected = layer === 0 ? projectParts(cfg.cell, parts, flat, w, valid) : projectRows(cfg.cell, flat!, w, valid);
        const run = runDirection(cfg, w, projected, steps, batch, h0?.[k] ?? null, c0?.[k] ?? null, lengths, d === 1);
        outs.push(run.outputs);                                                 // [T, B, H]
        hs.push(run.h);
        if (run.c !== null) cs.push(run.c);
      }
      input = outs.length === 1 ? outs[0]! : tf.concat(outs, 2);               // [T, B, H·dirs]
      if (opts.training === true && cfg.dropout > 0 && layer < cfg.layers - 1) {
        input = dropout(input, cfg.dropout, true, requireRng(opts.rng));
      }
    }
    const output = tf.transpose(input!, [1, 0, 2]) as tf.Tensor3D;             // [B, T, H·dirs]
    const h = tf.stack(hs) as tf.Tensor3D;                                     // [L·dirs, B, H]
    return cfg.cell === 'lstm'
      ? { output, state: { h, c: tf.stack(cs) as tf.Tensor3D } }
      : { output, state: { h } };
  });
}

/**
 * One time step through all layers (unidirectional only): x [B, In] → output [B, H] (top layer)
 * and the next state. For decoding loops and attention decoders.
 */
export function recurrentStep(
  cfg: RecurrentConfig, params: RecurrentParams, x: tf.Tensor2D, state: RecurrentState, opts: RecurrentStepOptions = {},
): { output: tf.Tensor2D; state: RecurrentState } {
  if (cfg.bidirectional) throw new Error('recurrentStep: a bidirectional layer cannot run one step at a time');
  const checked = checkedState(cfg, state, x.shape[0]);
  return tf.tidy(() => {
    const hs = unstackRows(checked.h) as tf.Tensor2D[];
    const cs = checked.c === undefined ? null : unstackRows(checked.c) as tf.Tensor2D[];
    const nextH: tf.Tensor2D[] = [];
    const nextC: tf.Tensor2D[] = [];
    let input = x;
    for (let layer = 0; layer < cfg.layers; layer++) {
      const w = layerWeights(params, layer, 0);
      const next = stepCell(cfg.cell, cfg.nonlinearity, w, projectInputs(cfg.cell, input, w), hs[layer]!, cs?.[layer] ?? null);
      nextH.push(next.h);
      if (next.c !== null) nextC.push(next.c);
      input = next.h;
      if (opts.training === true && cfg.dropout > 0 && layer < cfg.layers - 1) {
        input = dropout(input, cfg.dropout, true, requireRng(opts.rng));
      }
    }
    const h = tf.stack(nextH) as tf.Tensor3D;
    const output = input;
    return cfg.cell === 'lstm'
      ? { output, state: { h, c: tf.stack(nextC) as tf.Tensor3D } }
      : { output, state: { h } };
  });
}

/** The all-zeros state for `batch` rows. */
export function zeroState(cfg: RecurrentConfig, batch: number): RecurrentState {
  const shape: [number, number, number] = [cfg.layers * directions(cfg), batch, cfg.hidden];
  return cfg.cell === 'lstm' ? { h: tf.zeros(shape), c: tf.zeros(shape) } : { h: tf.zeros(shape) };
}

/** The top layer's h [B, H]; bidirectional: both directions concatenated [B, 2H] (forward first). */
export function stateTop(state: RecurrentState, bidirectional = false): tf.Tensor2D {
  const rows = state.h.shape[0];
  return tf.tidy(() => {
    if (!bidirectional) return tf.squeeze(tf.slice(state.h, [rows - 1, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D;
    const top = tf.slice(state.h, [rows - 2, 0, 0], [2, -1, -1]);               // [2, B, H]
    return tf.concat(unstackRows(top), 1) as tf.Tensor2D;                        // [B, 2H]
  });
}

/** The state of batch rows `rows` (int32 [N], repeats allowed): for beam search's reordering. */
export function selectRecurrentState(state: RecurrentState, rows: tf.Tensor1D): RecurrentState {
  return tf.tidy(() => {
    const h = tf.gather(state.h, rows, 1) as tf.Tensor3D;
    return state.c === undefined ? { h } : { h, c: tf.gather(state.c, rows, 1) as tf.Tensor3D };
  });
}

export function disposeRecurrentState(state: RecurrentState): void {
  state.h.dispose();
  state.c?.dispose();
}

/** One layer-direction over the sequence: the recurrence (sequence.ts) over its projected input. */
function runDirection(
  cfg: RecurrentConfig, w: LayerWeights, projected: tf.Tensor2D, steps: number, batch: number,
  h0: tf.Tensor2D | null, c0: tf.Tensor2D | null, lengths: tf.Tensor1D | null, reverse: boolean,
): SequenceResult {
  const spec = { cell: cfg.cell, nonlinearity: cfg.nonlinearity, steps, batch, hidden: cfg.hidden, lengths, reverse };
  return runCellSequence(spec, projected, w.whh, w.bhh, h0, cfg.cell === 'lstm' ? c0 : null);
}

/** A first-layer input split by kind, each with its rows of W_ih ([start, end), in input order). */
interface InputParts {
  batch: number;
  steps: number;
  /** Sequences [B, T, D] (looked-up embeddings among them when a table is not cheaper), one matMul. */
  sequences: tf.Tensor3D[];
  sequenceRows: Array<[number, number]>;
  /** The repeated vectors side by side [B, D_rep], or null when there are none. */
  repeated: tf.Tensor2D | null;
  repeatedRows: Array<[number, number]>;
  /** Embeddings projected as tables: weight [V, D], ids time-major [T·B]. */
  lookups: Array<{ weight: tf.Tensor2D; ids: tf.Tensor1D; rows: [number, number] }>;
}

/**
 * The first layer's projected input [T·B, G·H] (time-major) from its parts: flat (the sequences,
 * time-major) · their rows of W_ih, plus each lookup's row of its projected table, plus the bias,
 * plus the repeated vectors' projection [B, G·H] at every step.
 */
function projectParts(cell: CellKind, parts: InputParts, flat: tf.Tensor2D | null, w: LayerWeights, valid: () => ValidRows | null): tf.Tensor2D {
  const { steps, batch } = parts;
  let projected: tf.Tensor2D = flat === null
    ? tf.zeros([steps * batch, w.wih.shape[1]]).add(inputBias(cell, w)) as tf.Tensor2D
    : projectRows(cell, flat, { ...w, wih: pickRows(w.wih, parts.sequenceRows) }, valid);
  for (const { weight, ids, rows } of parts.lookups) {
    const table = tf.matMul(weight, pickRows(w.wih, [rows]));                            // [V, G·H]
    projected = projected.add(tf.gather(table, ids));
  }
  if (parts.repeated === null) return projected;
  const perSentence = tf.matMul(parts.repeated, pickRows(w.wih, parts.repeatedRows));    // [B, G·H]
  const width = projected.shape[1];
  return projected.reshape([steps, batch, width]).add(perSentence.expandDims(0)).reshape([steps * batch, width]) as tf.Tensor2D;
}

let validRowsEnabled = true;

/**
 * Below this many skipped multiply-adds (padding rows × In × G·H) the gathers cost more than the
 * product they save (d2l size: ~0.6 M, 0.8× slower; the large bench size: ~170 M, 1.14× faster).
 */
const SKIP_ROWS_MIN_MACS = 2 ** 24;
let skipRowsMinMacs = SKIP_ROWS_MIN_MACS;

/**
 * Turns off (false) projecting only the valid (step, row) pairs of a masked sequence: every row is
 * projected, padding included — for benchmarks measuring what skipping it buys, and tests (which
 * may lower the size from which it applies). On by default.
 */
export function setProjectValidRows(on: boolean, minMacs = SKIP_ROWS_MIN_MACS): void {
  validRowsEnabled = on;
  skipRowsMinMacs = minMacs;
}

/**
 * Time-major indices t·B + b of the steps a recurrence uses (t < lengths[b]), or null when that is
 * every step (or the switch is off). Rows past a length are never read by the recurrence.
 */
function validRowIndex(lengths: tf.Tensor1D | null, steps: number, batch: number): ValidRows | null {
  if (!validRowsEnabled || lengths === null) return null;
  const lens = lengths.dataSync();
  const rows: number[] = [];
  const spread = new Int32Array(steps * batch);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const at = t * batch + b;
      if (t < lens[b]!) { spread[at] = rows.length; rows.push(at); } else spread[at] = -1;
    }
  }
  if (rows.length === steps * batch) return null;
  for (let i = 0; i < spread.length; i++) if (spread[i]! < 0) spread[i] = rows.length;   // the zero row
  return { rows: tf.tensor1d(rows, 'int32'), spread: tf.tensor1d(spread, 'int32') };
}

/** The valid rows (indices into T·B) and, per row of T·B, where it is among them (or the zero row). */
interface ValidRows { rows: tf.Tensor1D; spread: tf.Tensor1D }

/**
 * x W_ih + b for the rows a recurrence reads: with `valid`, only those rows are multiplied and the
 * others are left zero (a masked step keeps its state whatever its input), else every row.
 */
function projectRows(cell: CellKind, flat: tf.Tensor2D, w: LayerWeights, validRows: () => ValidRows | null): tf.Tensor2D {
  const macsPerRow = flat.shape[1] * w.wih.shape[1];
  if (flat.shape[0] * macsPerRow < skipRowsMinMacs) return projectInputs(cell, flat, w);   // too small to pay
  const valid = validRows();
  if (valid === null || (flat.shape[0] - valid.rows.shape[0]) * macsPerRow < skipRowsMinMacs) return projectInputs(cell, flat, w);
  const projected = projectInputs(cell, tf.gather(flat, valid.rows), w);                  // [N, G·H]
  const padded = tf.concat([projected, tf.zeros([1, projected.shape[1]])], 0);             // [N + 1, G·H]
  return tf.gather(padded, valid.spread) as tf.Tensor2D;                                  // [T·B, G·H]
}

function isRepeated(part: RecurrentInputPart): part is RepeatedInput {
  return (part as Partial<RepeatedInput>).repeated !== undefined;
}

function isEmbedded(part: RecurrentInputPart): part is EmbeddedInput {
  return (part as Partial<EmbeddedInput>).embedded !== undefined;
}

/** Splits x into parts and checks their shapes (inside the caller's tidy: lookups' ids are transposed here). */
function splitParts(x: tf.Tensor3D | readonly RecurrentInputPart[], inputSize: number): InputParts {
  let list: readonly RecurrentInputPart[] = Array.isArray(x) ? x : [x as tf.Tensor3D];
  const first = list.find((p) => !isRepeated(p));
  if (first === undefined) throw new Error('runRecurrent: the input has no sequence part (only repeated vectors)');
  const [batch, steps] = isEmbedded(first) ? first.ids.shape : (first as tf.Tensor3D).shape;
  if (steps === 0) throw new Error('runRecurrent: the sequence is empty (T = 0)');
  if (!partsEnabled && list.length > 1) {
    list = [tf.concat(list.map((p) => (isRepeated(p) ? repeatOverTime(p.repeated, steps) : isEmbedded(p) ? embedding(p.embedded, p.ids) : p)), 2)];
  }
  const parts: InputParts = { batch, steps, sequences: [], sequenceRows: [], repeated: null, repeatedRows: [], lookups: [] };
  const repeatedParts: tf.Tensor2D[] = [];
  let at = 0;
  for (const part of list) {
    if (isRepeated(part)) {
      const v = part.repeated;
      if (v.rank !== 2 || v.shape[0] !== batch) throw new Error(`runRecurrent: a repeated input has shape [${v.shape}], expected [${batch}, D]`);
      parts.repeatedRows.push([at, at + v.shape[1]]);
      repeatedParts.push(v);
      at += v.shape[1];
    } else if (isEmbedded(part)) {
      const weight = part.embedded['weight'];
      if (weight === undefined) throw new Error('runRecurrent: an embedded input has no weight');
      const ids = part.ids;
      if (ids.rank !== 2 || ids.shape[0] !== batch || ids.shape[1] !== steps) {
        throw new Error(`runRecurrent: embedded ids have shape [${ids.shape}], expected [${batch}, ${steps}]`);
      }
      const [vocab, dim] = weight.shape as [number, number];
      if (partsEnabled && vocab < batch * steps) {
        parts.lookups.push({ weight: weight as tf.Tensor as tf.Tensor2D, ids: tf.transpose(ids).reshape([steps * batch]) as tf.Tensor1D, rows: [at, at + dim] });
      } else {
        parts.sequences.push(embedding(part.embedded, ids));
        parts.sequenceRows.push([at, at + dim]);
      }
      at += dim;
    } else {
      if (part.rank !== 3 || part.shape[0] !== batch || part.shape[1] !== steps) {
        throw new Error(`runRecurrent: an input part has shape [${part.shape}], expected [${batch}, ${steps}, D]`);
      }
      parts.sequences.push(part);
      parts.sequenceRows.push([at, at + part.shape[2]]);
      at += part.shape[2];
    }
  }
  if (at !== inputSize) throw new Error(`runRecurrent: input width ${at}, expected ${inputSize}`);
  parts.repeated = repeatedParts.length === 0 ? null : repeatedParts.length === 1 ? repeatedParts[0]! : tf.concat(repeatedParts, 1);
  return parts;
}

/** The rows of w in the given [start, end) ranges, stacked in order (w itself when that is all of it). */
function pickRows(w: tf.Tensor2D, ranges: ReadonlyArray<[number, number]>): tf.Tensor2D {
  if (ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] === w.shape[0]) return w;
  const blocks = ranges.map(([start, end]) => tf.slice(w, [start, 0], [end - start, -1]) as tf.Tensor2D);
  return blocks.length === 1 ? blocks[0]! : tf.concat(blocks, 0);
}

/** int32 [B] (cast once here; every layer and direction reads it). */
function checkedLengths(lengths: tf.Tensor1D, batch: number): tf.Tensor1D {
  if (lengths.shape[0] !== batch) throw new Error(`runRecurrent: ${lengths.shape[0]} lengths for a batch of ${batch}`);
  return lengths.cast('int32');
}

function checkedState(cfg: RecurrentConfig, state: RecurrentState, batch: number): RecurrentState {
  const want = [cfg.layers * directions(cfg), batch, cfg.hidden];
  const same = (s: number[]) => s.length === 3 && s.every((d, i) => d === want[i]);
  if (!same(state.h.shape)) throw new Error(`recurrent state h has shape [${state.h.shape}], expected [${want}]`);
  if (cfg.cell === 'lstm' && (state.c === undefined || !same(state.c.shape))) {
    throw new Error(`lstm state c ${state.c === undefined ? 'is missing' : `has shape [${state.c.shape}]`}, expected [${want}]`);
  }
  return state;
}

function requireRng(rng: Rng | undefined): Rng {
  if (rng === undefined) throw new Error('recurrent dropout in training needs opts.rng');
  return rng;
}
