/**
 * One time step of each cell, in PyTorch's equations and gate order (ARCHITECTURE.md, numerics).
 * recurrentStep runs these; whole sequences run through sequence.ts, the same equations with a
 * hand-written backward pass.
 *
 *   rnn:  h' = act(x W_ih + b_ih + h W_hh + b_hh)                    act = tanh | relu
 *   gru:  r, z = σ(x W_ir + b_ir + h W_hr + b_hr), σ(… z …)           gates (r, z, n)
 *         n  = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn))
 *         h' = (1 − z) ⊙ n + z ⊙ h
 *   lstm: i, f, g, o = σ, σ, tanh, σ of (x W_ih + b_ih + h W_hh + b_hh)  gates (i, f, g, o)
 *         c' = f ⊙ c + i ⊙ g ;  h' = o ⊙ tanh(c')
 *
 * The input side `x W_ih + b` is computed before the step (for all steps at once where possible:
 * `projectInputs`); a step does ONE fused matMul h·W_hh [H, G·H]. A null h/c means "all zeros"
 * (the usual initial state), which skips that matMul.
 */
import * as tf from '@tensorflow/tfjs';
import { GATES, layerSuffix, type CellKind, type Nonlinearity, type RecurrentParams } from './params.js';

/** One layer-direction's weights, compute layout. */
export interface LayerWeights {
  wih: tf.Tensor2D; // [In, G·H]
  whh: tf.Tensor2D; // [H, G·H]
  bih: tf.Tensor1D; // [G·H]
  bhh: tf.Tensor1D; // [G·H]
}

export interface CellState { h: tf.Tensor2D; c: tf.Tensor2D | null }

export function layerWeights(params: RecurrentParams, layer: number, direction: number): LayerWeights {
  const s = layerSuffix(layer, direction);
  const get = (name: string): tf.Variable => {
    const v = params[name + s];
    if (v === undefined) throw new Error(`recurrent parameter '${name}${s}' is missing`);
    return v;
  };
  return {
    wih: get('weight_ih') as tf.Tensor as tf.Tensor2D,
    whh: get('weight_hh') as tf.Tensor as tf.Tensor2D,
    bih: get('bias_ih') as tf.Tensor as tf.Tensor1D,
    bhh: get('bias_hh') as tf.Tensor as tf.Tensor1D,
  };
}

/**
 * x [N, In] → [N, G·H] = x W_ih + b_ih, plus b_hh where the cell adds it unchanged (rnn, lstm),
 * so the step needs no bias add. (GRU keeps b_hn inside r ⊙ (…), so its step adds b_hh itself.)
 */
export function projectInputs(cell: CellKind, x: tf.Tensor2D, w: LayerWeights): tf.Tensor2D {
  return tf.matMul(x, w.wih).add(inputBias(cell, w));
}

/** The bias added with the input projection: b_ih, plus b_hh for rnn and lstm (see projectInputs). */
export function inputBias(cell: CellKind, w: LayerWeights): tf.Tensor1D {
  return cell === 'gru' ? w.bih : w.bih.add(w.bhh);
}

/** One step from the projected input and the previous state (null = zeros). */
export function stepCell(
  cell: CellKind, nonlinearity: Nonlinearity, w: LayerWeights, xp: tf.Tensor2D, h: tf.Tensor2D | null, c: tf.Tensor2D | null,
): CellState {
  switch (cell) {
    case 'rnn': return { h: rnnStep(nonlinearity, w, xp, h), c: null };
    case 'gru': return { h: gruStep(w, xp, h), c: null };
    case 'lstm': return lstmStep(w, xp, h, c);
  }
}

function rnnStep(nonlinearity: Nonlinearity, w: LayerWeights, xp: tf.Tensor2D, h: tf.Tensor2D | null): tf.Tensor2D {
  const pre = h === null ? xp : xp.add(tf.matMul(h, w.whh));
  return (nonlinearity === 'relu' ? tf.relu(pre) : tf.tanh(pre)) as tf.Tensor2D;
}

function gruStep(w: LayerWeights, xp: tf.Tensor2D, h: tf.Tensor2D | null): tf.Tensor2D {
  const hidden = w.whh.shape[0];
  const [xrz, xn] = tf.split(xp, [2 * hidden, hidden], 1) as tf.Tensor2D[];
  const gh = h === null
    ? w.bhh.reshape([1, 3 * hidden])                                         // h = 0: only the bias
    : tf.matMul(h, w.whh).add(w.bhh);                                       // [B, 3H]      // [B, 3H]
  const [hrz, hn] = tf.split(gh, [2 * hidden, hidden], 1) as [tf.Tensor2D, tf.Tensor2D];
  const [r, z] = tf.split(tf.sigmoid(xrz!.add(hrz)), 2, 1) as [tf.Tensor2D, tf.Tensor2D];
  const n = tf.tanh(xn!.add(r.mul(hn))) as tf.Tensor2D;
  // (1 − z) ⊙ n + z ⊙ h, written with one multiply.
  return h === null ? n.sub(z.mul(n)) : n.add(z.mul(h.sub(n)));
}

function lstmStep(w: LayerWeights, xp: tf.Tensor2D, h: tf.Tensor2D | null, c: tf.Tensor2D | null): CellState {
  const gates = h === null ? xp : xp.add(tf.matMul(h, w.whh)); // [B, 4H]
  const [i, f, g, o] = tf.split(gates, GATES.lstm, 1) as tf.Tensor2D[];
  const ig = tf.sigmoid(i!).mul(tf.tanh(g!)) as tf.Tensor2D;
  const cNext = c === null ? ig : (tf.sigmoid(f!).mul(c).add(ig) as tf.Tensor2D);
  return { h: tf.sigmoid(o!).mul(tf.tanh(cNext)) as tf.Tensor2D, c: cNext };
}
