/**
 * The d2l encoder–decoder written with seqloom's runtime the way generated code calls it:
 * encoder = embedding → recurrent (state at each source length); decoder input = embedding
 * (+ the encoder's top-layer h repeated over time, with context); decoder init = encoder state;
 * logits = dense. Parameter prefixes are d2l's state_dict names.
 */
import * as tf from '@tensorflow/tfjs';
import {
  concatFeatures, createDenseParams, createEmbeddingParams, createRecurrentParams, dense, disposeParams, embedding,
  fromTorchTensors, maskedCrossEntropy, paramVariables, repeatOverTime, runRecurrent, stateTop, toTorchTensors,
  type CellKind, type ParamMap, type RecurrentConfig, type Rng,
} from '../../../../src/runtime/nn/index.js';
import type { LossResult, TensorDict } from '../../../../src/runtime/module.js';

export interface Seq2SeqSizes {
  cell: CellKind; context: boolean; srcVocab: number; tgtVocab: number; embed: number; hidden: number;
  layers: number; dropout?: number;
}
export interface Batch { src: tf.Tensor2D; srcLen: tf.Tensor1D; tgtIn: tf.Tensor2D; tgtOut: tf.Tensor2D; tgtLen: tf.Tensor1D }

export class TinySeq2Seq {
  readonly encCfg: RecurrentConfig;
  readonly decCfg: RecurrentConfig;
  readonly encEmb: ParamMap;
  readonly encRnn: ParamMap;
  readonly decEmb: ParamMap;
  readonly decRnn: ParamMap;
  readonly decDense: ParamMap;

  constructor(readonly sizes: Seq2SeqSizes, private readonly rng: Rng) {
    const { cell, embed, hidden, layers } = sizes;
    const base = { cell, hidden, layers, dropout: sizes.dropout ?? 0, bidirectional: false, nonlinearity: 'tanh' as const };
    this.encCfg = { ...base, inputSize: embed };
    this.decCfg = { ...base, inputSize: embed + (sizes.context ? hidden : 0) };
    this.encEmb = createEmbeddingParams(sizes.srcVocab, embed, rng);
    this.encRnn = createRecurrentParams(this.encCfg, rng);
    this.decEmb = createEmbeddingParams(sizes.tgtVocab, embed, rng);
    this.decRnn = createRecurrentParams(this.decCfg, rng);
    this.decDense = createDenseParams(hidden, sizes.tgtVocab, rng);
  }

  variables(): tf.Variable[] {
    return paramVariables(this.encEmb, this.encRnn, this.decEmb, this.decRnn, this.decDense);
  }

  /** PyTorch names (d2l's state_dict) → [kind, cfg, params] for each node. */
  private nodes() {
    const s = this.sizes;
    return [
      ['encoder.embedding', 'embedding', { vocab: s.srcVocab, dim: s.embed }, this.encEmb],
      ['encoder.rnn', 'recurrent', this.encCfg, this.encRnn],
      ['decoder.embedding', 'embedding', { vocab: s.tgtVocab, dim: s.embed }, this.decEmb],
      ['decoder.rnn', 'recurrent', this.decCfg, this.decRnn],
      ['decoder.dense', 'dense', { inSize: s.hidden, outSize: s.tgtVocab }, this.decDense],
    ] as const;
  }

  importTensors(tensors: TensorDict): void {
    for (const [prefix, kind, cfg, params] of this.nodes()) {
      fromTorchTensors(kind, cfg as never, tensors, params, prefix);
    }
  }

  exportTensors(): TensorDict {
    return Object.assign({}, ...this.nodes().map(([prefix, kind, cfg, params]) => toTorchTensors(kind, cfg as never, params, prefix)));
  }

  /** Torch-named view of a gradient map keyed by variable name. */
  torchNamed(grads: tf.NamedTensorMap): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = {};
    for (const [prefix, kind, , params] of this.nodes()) {
      for (const [name, v] of Object.entries(params)) {
        const g = grads[v.name]!;
        out[`${prefix}.${name}`] = kind !== 'embedding' && g.rank === 2 ? g.transpose() : g;
      }
    }
    return out;
  }

  forward(b: Batch, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const enc = runRecurrent(this.encCfg, this.encRnn, embedding(this.encEmb, b.src), { lengths: b.srcLen, training, rng: this.rng });
      let decIn = embedding(this.decEmb, b.tgtIn);                                   // [B, T, E]
      if (this.sizes.context) decIn = concatFeatures([decIn, repeatOverTime(stateTop(enc.state), b.tgtIn.shape[1])]);
      const dec = runRecurrent(this.decCfg, this.decRnn, decIn, { init: enc.state, training, rng: this.rng });
      return dense(this.decDense, dec.output);                                      // [B, T, V]
    });
  }

  loss(b: Batch, training: boolean): LossResult {
    const logits = this.forward(b, training);
    const result = maskedCrossEntropy(logits, b.tgtOut, b.tgtLen);
    logits.dispose();
    return result;
  }

  dispose(): void {
    disposeParams(this.encEmb, this.encRnn, this.decEmb, this.decRnn, this.decDense);
  }
}
