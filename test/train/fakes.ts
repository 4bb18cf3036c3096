/**
 * Small hand-written modules implementing the generated-module contract (src/runtime/module.ts), so
 * the trainer and the commands can be tested without the code generator.
 *  - FakeSeq2Seq: logits_t = (E_tgt[y_{t-1}] + mean_valid(E_src[x])) · W + b, optional dropout on the
 *    hidden sum driven by an internal seeded RNG (exposed through rngState/setRngState).
 *  - FakeLm: logits_t = (E[x_t] + ½ h_{t-1}) · W + b with h_t = E[x_t] (state = the last embedding).
 */
import * as tf from '@tensorflow/tfjs';
import type {
  Hypothesis, LmBatch, LossResult, ModuleConfig, NamedTensor, SearchOptions, Seq2SeqBatch, StepResult,
  TensorDict, Seq2SeqModule, LanguageModelModule,
} from '../../src/runtime/module.js';
import { UserError } from '../../src/errors.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  Object.defineProperty(next, 'state', { get: () => a, set: (v: number) => { a = v >>> 0; } });
  return next;
}

function initVar(rng: () => number, shape: number[], name: string): tf.Variable {
  const n = shape.reduce((x, y) => x * y, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = (rng() - 0.5) * 0.2;
  const init = tf.tensor(data, shape);
  const v = tf.variable(init, true, `${name}_${Math.random().toString(36).slice(2)}`);
  init.dispose();
  return v;
}

function toNamed(v: tf.Variable): NamedTensor {
  return { shape: v.shape.slice(), data: Float32Array.from(v.dataSync()) };
}

function importInto(vars: Record<string, tf.Variable>, tensors: TensorDict): void {
  for (const [name, v] of Object.entries(vars)) {
    const t = tensors[name];
    if (!t) throw new UserError(`weights: missing tensor ${name}`);
    if (t.shape.join(',') !== v.shape.join(',')) {
      throw new UserError(`weights: ${name} has shape [${t.shape}], expected [${v.shape}]`);
    }
  }
  const extra = Object.keys(tensors).filter((k) => !(k in vars));
  if (extra.length) throw new UserError(`weights: unexpected tensor(s) ${extra.join(', ')}`);
  for (const [name, v] of Object.entries(vars)) {
    const t = tf.tensor(tensors[name]!.data, v.shape);
    v.assign(t);
    t.dispose();
  }
}

/** One optimizer step with global-norm clipping; returns loss and the pre-clip norm. */
function step(vars: tf.Variable[], lossFn: () => tf.Scalar, optimizer: tf.Optimizer, clip: number | null) {
  const { value, grads } = tf.variableGrads(lossFn, vars);
  const norm = tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))).dataSync()[0]!);
  const scale = clip !== null && norm > clip ? clip / norm : 1;
  const scaled = tf.tidy(() => Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)])));
  optimizer.applyGradients(scaled as tf.NamedTensorMap);
  const loss = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads), ...Object.values(scaled)]);
  return { loss, gradNorm: norm };
}

function maskedCe(logits: tf.Tensor3D, labels: tf.Tensor2D, lengths: tf.Tensor1D): LossResult {
  const [B, T, V] = logits.shape;
  const count = Array.from(lengths.dataSync()).reduce((a, b) => a + b, 0);
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, V)), 2); // [B,T]
    const mask = tf.cast(tf.less(tf.range(0, T, 1, 'int32').expandDims(0), lengths.expandDims(1)), 'float32');
    const sum = tf.neg(tf.sum(tf.mul(picked, mask))) as tf.Scalar;
    void B;
    return { sum, mean: tf.div(sum, Math.max(count, 1)) as tf.Scalar, count };
  });
}

export interface FakeOptions { dim?: number; dropout?: number; nanAtStep?: number }

interface FakeEnc { ctx: tf.Tensor2D }
interface FakeDecState { ctx: tf.Tensor2D }

export class FakeSeq2Seq implements Seq2SeqModule<FakeEnc, FakeDecState> {
  static readonly specName = 'fake-seq2seq';
  static readonly task = 'seq2seq' as const;
  readonly specName = 'fake-seq2seq';
  readonly task = 'seq2seq' as const;
  private readonly vars: Record<string, tf.Variable>;
  private readonly rng: ReturnType<typeof mulberry32>;
  private steps = 0;
  constructor(readonly config: ModuleConfig, private readonly opts: FakeOptions = {}) {
    const D = opts.dim ?? 8;
    const rng = mulberry32(config.seed);
    this.vars = {
      'src_emb.weight': initVar(rng, [config.vocab.source!, D], 'src'),
      'tgt_emb.weight': initVar(rng, [config.vocab.target!, D], 'tgt'),
      'out.weight': initVar(rng, [D, config.vocab.target!], 'w'),
      'out.bias': initVar(rng, [config.vocab.target!], 'b'),
    };
    this.rng = mulberry32(config.seed + 1);
  }
  rngState(): number[] { return [(this.rng as unknown as { state: number }).state]; }
  setRngState(s: number[]): void { (this.rng as unknown as { state: number }).state = s[0]!; }
  variables(): tf.Variable[] { return Object.values(this.vars); }
  exportTensors(): TensorDict {
    return Object.fromEntries(Object.entries(this.vars).map(([k, v]) => [k, toNamed(v)]));
  }
  importTensors(t: TensorDict): void { importInto(this.vars, t); }
  dispose(): void { tf.dispose(Object.values(this.vars)); }

  encode(src: tf.Tensor2D, srcLen: tf.Tensor1D): FakeEnc {
    return tf.tidy(() => {
      const T = src.shape[1];
      const emb = tf.gather(this.vars['src_emb.weight']!, src); // [B,T,D]
      const mask = tf.cast(tf.less(tf.range(0, T, 1, 'int32').expandDims(0), srcLen.expandDims(1)), 'float32');
      const sum = tf.sum(tf.mul(emb, mask.expandDims(2)), 1);
      return { ctx: tf.div(sum, tf.cast(srcLen, 'float32').expandDims(1)) as tf.Tensor2D };
    });
  }
  initDecoderState(enc: FakeEnc): FakeDecState { return { ctx: tf.clone(enc.ctx) }; }
  decodeStep(tokens: tf.Tensor1D, state: FakeDecState) {
    const logProbs = tf.tidy(() => {
      const h = tf.add(tf.gather(this.vars['tgt_emb.weight']!, tokens), state.ctx);
      return tf.logSoftmax(tf.add(tf.matMul(h, this.vars['out.weight']!), this.vars['out.bias']!)) as tf.Tensor2D;
    });
    return { logProbs, state: { ctx: tf.clone(state.ctx) } };
  }
  selectState(state: FakeDecState, rows: tf.Tensor1D): FakeDecState { return { ctx: tf.gather(state.ctx, rows) }; }
  disposeState(state: FakeDecState): void { state.ctx.dispose(); }
  disposeEncoded(enc: FakeEnc): void { enc.ctx.dispose(); }

  forward(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    const enc = this.encode(batch.src, batch.srcLen);
    const out = tf.tidy(() => {
      let h = tf.add(tf.gather(this.vars['tgt_emb.weight']!, batch.tgtIn), enc.ctx.expandDims(1)) as tf.Tensor3D;
      const rate = this.opts.dropout ?? 0;
      if (training && rate > 0) {
        const n = h.size;
        const m = new Float32Array(n);
        for (let i = 0; i < n; i++) m[i] = this.rng() < rate ? 0 : 1 / (1 - rate);
        h = tf.mul(h, tf.tensor(m, h.shape)) as tf.Tensor3D;
      }
      const [B, T, D] = h.shape;
      const logits = tf.add(tf.matMul(h.reshape([B * T, D]), this.vars['out.weight']!), this.vars['out.bias']!);
      return logits.reshape([B, T, -1]) as tf.Tensor3D;
    });
    this.disposeEncoded(enc);
    return out;
  }
  loss(batch: Seq2SeqBatch, training: boolean): LossResult {
    const logits = this.forward(batch, training);
    const r = maskedCe(logits, batch.tgtOut, batch.tgtLen);
    logits.dispose();
    return r;
  }
  trainStep(batch: Seq2SeqBatch, optimizer: tf.Optimizer, clipNorm: number | null): StepResult {
    this.steps++;
    let count = 0;
    const r = step(this.variables(), () => {
      const l = this.loss(batch, true);
      count = l.count;
      l.sum.dispose();
      return l.mean;
    }, optimizer, clipNorm);
    if (this.opts.nanAtStep !== undefined && this.steps >= this.opts.nanAtStep) {
      const w = this.vars['out.weight']!;
      w.assign(tf.fill(w.shape, NaN));
      return { loss: NaN, gradNorm: NaN, tokens: count };
    }
    return { ...r, tokens: count };
  }
  greedy(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] {
    const B = src.shape[0];
    const enc = this.encode(src, srcLen);
    let state = this.initDecoderState(enc);
    this.disposeEncoded(enc);
    const hyps: Hypothesis[] = Array.from({ length: B }, () => ({ tokens: [], logp: 0, score: 0 }));
    const done = new Array<boolean>(B).fill(false);
    let tokens = tf.fill([B], opts.bos, 'int32') as tf.Tensor1D;
    for (let t = 0; t < opts.maxLen && done.some((d) => !d); t++) {
      const { logProbs, state: next } = this.decodeStep(tokens, state);
      this.disposeState(state);
      state = next;
      // never generate <pad> or <bos>
      const lp = logProbs.arraySync();
      logProbs.dispose();
      tokens.dispose();
      const chosen = lp.map((row) => {
        let best = -1;
        row.forEach((v, i) => { if (i !== opts.pad && i !== opts.bos && (best < 0 || v > row[best]!)) best = i; });
        return best;
      });
      chosen.forEach((c, b) => {
        if (done[b]) return;
        hyps[b]!.tokens.push(c);
        hyps[b]!.logp += lp[b]![c]!;
        if (c === opts.eos) done[b] = true;
      });
      tokens = tf.tensor1d(chosen, 'int32');
    }
    tokens.dispose();
    this.disposeState(state);
    return hyps.map((h) => [{ ...h, score: h.logp }]);
  }
  beam(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] { return this.greedy(src, srcLen, opts); }
  exhaustive(src: tf.Tensor2D, srcLen: tf.Tensor1D, opts: SearchOptions): Hypothesis[][] { return this.greedy(src, srcLen, opts); }
}

interface FakeLmState { h: tf.Tensor2D }

export class FakeLm implements LanguageModelModule<FakeLmState> {
  static readonly specName = 'fake-lm';
  static readonly task = 'language-model' as const;
  readonly specName = 'fake-lm';
  readonly task = 'language-model' as const;
  private readonly vars: Record<string, tf.Variable>;
  private readonly D: number;
  constructor(readonly config: ModuleConfig, opts: FakeOptions = {}) {
    this.D = opts.dim ?? 8;
    const rng = mulberry32(config.seed);
    const V = config.vocab.tokens!;
    this.vars = {
      'emb.weight': initVar(rng, [V, this.D], 'e'),
      'out.weight': initVar(rng, [this.D, V], 'w'),
      'out.bias': initVar(rng, [V], 'b'),
    };
  }
  variables(): tf.Variable[] { return Object.values(this.vars); }
  exportTensors(): TensorDict {
    return Object.fromEntries(Object.entries(this.vars).map(([k, v]) => [k, toNamed(v)]));
  }
  importTensors(t: TensorDict): void { importInto(this.vars, t); }
  dispose(): void { tf.dispose(Object.values(this.vars)); }
  initState(batch: number): FakeLmState { return { h: tf.zeros([batch, this.D]) }; }
  forward(x: tf.Tensor2D, state: FakeLmState | null) {
    const [B, T] = x.shape;
    return tf.tidy(() => {
      const emb = tf.gather(this.vars['emb.weight']!, x) as tf.Tensor3D; // [B,T,D]
      const h0 = state ? state.h : tf.zeros([B, this.D]);
      const prev = tf.concat([h0.expandDims(1), emb.slice([0, 0, 0], [B, T - 1, this.D])], 1);
      const h = tf.add(emb, tf.mul(prev, 0.5));
      const logits = tf.add(tf.matMul(h.reshape([B * T, this.D]), this.vars['out.weight']!), this.vars['out.bias']!);
      const last = emb.slice([0, T - 1, 0], [B, 1, this.D]).reshape([B, this.D]) as tf.Tensor2D;
      return { logits: logits.reshape([B, T, -1]) as tf.Tensor3D, state: { h: last } };
    });
  }
  decodeStep(tokens: tf.Tensor1D, state: FakeLmState) {
    return tf.tidy(() => {
      const e = tf.gather(this.vars['emb.weight']!, tokens) as tf.Tensor2D;
      const h = tf.add(e, tf.mul(state.h, 0.5));
      const logProbs = tf.logSoftmax(tf.add(tf.matMul(h, this.vars['out.weight']!), this.vars['out.bias']!)) as tf.Tensor2D;
      return { logProbs, state: { h: e } };
    });
  }
  disposeState(state: FakeLmState): void { state.h.dispose(); }
  loss(batch: LmBatch, state: FakeLmState | null) {
    const { logits, state: next } = this.forward(batch.x, state);
    const [B, T] = batch.x.shape;
    const lens = tf.fill([B], T, 'int32') as tf.Tensor1D;
    const r = maskedCe(logits, batch.y, lens);
    tf.dispose([logits, lens]);
    return { ...r, state: next };
  }
  trainStep(batch: LmBatch, state: FakeLmState | null, optimizer: tf.Optimizer, clipNorm: number | null) {
    const r = step(this.variables(), () => {
      const l = this.loss(batch, state);
      l.sum.dispose();
      this.disposeState(l.state);
      return l.mean;
    }, optimizer, clipNorm);
    const next = tf.tidy(() => this.forward(batch.x, state).state);
    return { ...r, tokens: batch.x.size, state: next };
  }
}
