/**
 * One layer-direction of a recurrent cell over a whole sequence, as ONE differentiable op with a
 * hand-written backward pass (backpropagation through time), via tf.customGrad.
 *
 * Why: at the sizes seqloom trains (d2l: batch 64, 10 steps, 32 wide) a step costs far more in
 * per-kernel overhead than in arithmetic, and autodiff through a step records ~12 ops, each cloning
 * what it saves, plus reshapes/casts in their gradients. Here the forward runs untaped, and the
 * backward is ~20 plain ops per step; the recurrent weight's gradient is ONE matMul over all steps
 * (Σ_t h_{t−1}ᵀ·dg_t = H_prevᵀ·DG) instead of T matMuls and T adds.
 *
 * Equations, gate order and the masking rule are cells.ts's and recurrent.ts's: with a mask, rows
 * past their length keep the previous state. The torch reference tests cover every path here.
 *
 *   inputs  projected [T·B, G·H] (x W_ih + bias, time-major), W_hh [H, G·H], b_hh [G·H] (GRU only),
 *           h0 [B, H] and c0 [B, H] when given (else zeros, and no gradient for them)
 *   output  [T, B, H]: the state after each step, in time order (LSTM: [T+1, B, H], the last row
 *           holding the final c)
 */
import * as tf from '@tensorflow/tfjs';
import { unstackRows } from './unstack.js';
import type { CellKind, Nonlinearity } from './params.js';

export interface SequenceSpec {
  cell: CellKind;
  nonlinearity: Nonlinearity;
  steps: number;
  batch: number;
  hidden: number;
  /** T × bool [B, H]: step t valid for row b; null = every step valid. */
  masks: tf.Tensor2D[] | null;
  reverse: boolean;
}

export interface SequenceResult { outputs: tf.Tensor3D; h: tf.Tensor2D; c: tf.Tensor2D | null }

type Saved = Record<string, tf.Tensor[]>;

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
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const { value, saved } = forward(spec, projected, whh, bhh, h0, lstm ? c0 : null);
    const names = Object.keys(saved);
    save(names.flatMap((n) => saved[n]!));
    return {
      value,
      gradFunc: (dy: tf.Tensor, flat: tf.Tensor[]) => tf.tidy(() => {
        const restored: Saved = {};
        let at = 0;
        for (const n of names) {
          restored[n] = flat.slice(at, at + saved[n]!.length);
          at += saved[n]!.length;
        }
        return backward(spec, dy, restored, h0 !== null, lstm && c0 !== null);
      }),
    };
  });
  const value = op(...inputs) as tf.Tensor3D;
  const last = spec.reverse ? 0 : spec.steps - 1;
  const outputs = lstm ? value.slice([0, 0, 0], [spec.steps, -1, -1]) as tf.Tensor3D : value;
  const h = outputs.slice([last, 0, 0], [1, -1, -1]).reshape([spec.batch, spec.hidden]) as tf.Tensor2D;
  const c = lstm ? value.slice([spec.steps, 0, 0], [1, -1, -1]).reshape([spec.batch, spec.hidden]) as tf.Tensor2D : null;
  return { outputs, h, c };
}

/** Time indices in processing order. */
function order(spec: SequenceSpec): number[] {
  const ts = Array.from({ length: spec.steps }, (_, i) => i);
  return spec.reverse ? ts.reverse() : ts;
}

function forward(
  spec: SequenceSpec, projected: tf.Tensor2D, whh: tf.Tensor2D, bhh: tf.Tensor1D, h0: tf.Tensor2D | null, c0: tf.Tensor2D | null,
): { value: tf.Tensor; saved: Saved } {
  const { steps: T, batch: B, hidden: H, masks } = spec;
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
    const m = spec.masks?.[t];
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
