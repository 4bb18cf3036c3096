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
 * Masking: with `lengths`, a step t ≥ length[b] leaves row b's state unchanged, so the final state is
 * the state at each sequence's length (pack_padded_sequence semantics; the reverse direction starts
 * at its last valid token) and padding never changes a result. Outputs past a length hold the frozen
 * state (callers mask them).
 */
import * as tf from '@tensorflow/tfjs';
import { unstackRows } from './unstack.js';
import { layerWeights, projectInputs, stepCell, type LayerWeights } from './cells.js';
import { dropout } from './layers.js';
import { directions, type RecurrentConfig, type RecurrentParams } from './params.js';
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

/** x [B, T, In] → output [B, T, H·dirs] and the final state. */
export function runRecurrent(
  cfg: RecurrentConfig, params: RecurrentParams, x: tf.Tensor3D, opts: RecurrentRunOptions = {},
): { output: tf.Tensor3D; state: RecurrentState } {
  const [batch, steps, inSize] = x.shape;
  if (steps === 0) throw new Error('runRecurrent: the sequence is empty (T = 0)');
  if (inSize !== cfg.inputSize) throw new Error(`runRecurrent: input width ${inSize}, expected ${cfg.inputSize}`);
  const dirs = directions(cfg);
  const initial = opts.init === undefined ? null : checkedState(cfg, opts.init, batch);
  return tf.tidy(() => {
    const lengths = opts.lengths === undefined ? null : checkedLengths(opts.lengths, batch);
    const h0 = initial === null ? null : unstackRows(initial.h) as tf.Tensor2D[];
    const c0 = initial?.c === undefined ? null : unstackRows(initial.c) as tf.Tensor2D[];
    const hs: tf.Tensor2D[] = [];
    const cs: tf.Tensor2D[] = [];
    let input = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;                     // [T, B, In]
    for (let layer = 0; layer < cfg.layers; layer++) {
      const flat = input.reshape([steps * batch, input.shape[2]]) as tf.Tensor2D; // [T·B, In_l]
      const outs: tf.Tensor3D[] = [];
      for (let d = 0; d < dirs; d++) {
        const k = layer * dirs + d;
        const run = runDirection(cfg, layerWeights(params, layer, d), flat, steps, batch,
          h0?.[k] ?? null, c0?.[k] ?? null, lengths, d === 1);
        outs.push(run.outputs);                                                 // [T, B, H]
        hs.push(run.h);
        if (run.c !== null) cs.push(run.c);
      }
      input = outs.length === 1 ? outs[0]! : tf.concat(outs, 2);               // [T, B, H·dirs]
      if (opts.training === true && cfg.dropout > 0 && layer < cfg.layers - 1) {
        input = dropout(input, cfg.dropout, true, requireRng(opts.rng));
      }
    }
    const output = tf.transpose(input, [1, 0, 2]) as tf.Tensor3D;              // [B, T, H·dirs]
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

/** One layer-direction over the sequence: one input matMul, then the recurrence (sequence.ts). */
function runDirection(
  cfg: RecurrentConfig, w: LayerWeights, flat: tf.Tensor2D, steps: number, batch: number,
  h0: tf.Tensor2D | null, c0: tf.Tensor2D | null, lengths: tf.Tensor1D | null, reverse: boolean,
): SequenceResult {
  const spec = { cell: cfg.cell, nonlinearity: cfg.nonlinearity, steps, batch, hidden: cfg.hidden, lengths, reverse };
  return runCellSequence(spec, projectInputs(cfg.cell, flat, w), w.whh, w.bhh, h0, cfg.cell === 'lstm' ? c0 : null);
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
