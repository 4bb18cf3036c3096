/**
 * The hand-written baseline: the d2l encoder–decoder written the way a tfjs user would, with
 * tf.layers (Embedding → GRU/LSTM stack → Dense), called eagerly on tensors:
 *
 *   encoder: Embedding(V_src, E) → L × RNN(H, returnSequences, returnState) with Dropout between
 *            layers; the source mask (t < srcLen) is passed to every layer, so the final state is
 *            each sentence's state at its length (what seqloom's encoder computes)
 *   decoder: Embedding(V_tgt, E) ‖ top encoder h repeated over T_tgt → L × RNN(H) started from the
 *            encoder's per-layer states → Dense(V_tgt)
 *
 * The loss, clipping and optimizer step are seqloom's own (maskedCrossEntropy, trainStep), so the
 * comparison isolates the model code. Gate activations are sigmoid/tanh (PyTorch's, not Keras's
 * hardSigmoid default); initializers are glorotUniform (the orthogonal default warns and costs a QR
 * per weight, and initialization is not timed).
 */
import * as tf from '@tensorflow/tfjs';
import { maskedCrossEntropy, sequenceMask } from '../../src/runtime/nn/loss.js';
import { trainStep } from '../../src/runtime/nn/train.js';
import type { Seq2SeqBatch, StepResult } from '../../src/runtime/module.js';

export interface LayersSeq2SeqConfig {
  cell: 'gru' | 'lstm';
  srcVocab: number;
  tgtVocab: number;
  embed: number;
  hidden: number;
  layers: number;
  dropout: number;
}

type RnnLayer = tf.layers.Layer;

export class LayersSeq2Seq {
  private readonly srcEmb: tf.layers.Layer;
  private readonly tgtEmb: tf.layers.Layer;
  private readonly encoder: RnnLayer[];
  private readonly decoder: RnnLayer[];
  private readonly dropout: tf.layers.Layer;
  private readonly dense: tf.layers.Layer;

  constructor(private readonly cfg: LayersSeq2SeqConfig) {
    const rnn = (): RnnLayer => {
      const args = {
        units: cfg.hidden, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' as const,
        kernelInitializer: 'glorotUniform' as const, recurrentInitializer: 'glorotUniform' as const,
      };
      return cfg.cell === 'gru' ? tf.layers.gru(args) : tf.layers.lstm(args);
    };
    this.srcEmb = tf.layers.embedding({ inputDim: cfg.srcVocab, outputDim: cfg.embed });
    this.tgtEmb = tf.layers.embedding({ inputDim: cfg.tgtVocab, outputDim: cfg.embed });
    this.encoder = Array.from({ length: cfg.layers }, rnn);
    this.decoder = Array.from({ length: cfg.layers }, rnn);
    this.dropout = tf.layers.dropout({ rate: cfg.dropout });
    this.dense = tf.layers.dense({ units: cfg.tgtVocab });
    // Build every weight once on a tiny batch.
    tf.tidy(() => {
      const ids = tf.zeros([1, 2], 'int32');
      this.forward({ src: ids as tf.Tensor2D, srcLen: tf.tensor1d([2], 'int32'), tgtIn: ids as tf.Tensor2D,
        tgtOut: ids as tf.Tensor2D, tgtLen: tf.tensor1d([2], 'int32') }, false);
    });
  }

  variables(): tf.Variable[] {
    const layers = [this.srcEmb, ...this.encoder, this.tgtEmb, ...this.decoder, this.dense];
    return layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /** Logits [B, T_tgt, V_tgt]. */
  forward(batch: Seq2SeqBatch, training: boolean): tf.Tensor3D {
    return tf.tidy(() => {
      const kw = { training };
      const srcMask = sequenceMask(batch.srcLen, batch.src.shape[1]);            // [B, T_src] 0/1
      let x = this.srcEmb.apply(batch.src, kw) as tf.Tensor3D;                   // [B, T_src, E]
      const states: tf.Tensor2D[][] = [];
      this.encoder.forEach((layer, l) => {
        if (l > 0) x = this.dropout.apply(x, kw) as tf.Tensor3D;
        const [out, ...state] = layer.apply(x, { ...kw, mask: srcMask }) as tf.Tensor[];
        x = out as tf.Tensor3D;
        states.push(state as tf.Tensor2D[]);
      });
      const steps = batch.tgtIn.shape[1];
      const top = states[states.length - 1]![0]!;                                 // [B, H]
      const context = tf.tile(top.expandDims(1), [1, steps, 1]);                 // [B, T_tgt, H]
      let y = tf.concat([this.tgtEmb.apply(batch.tgtIn, kw) as tf.Tensor3D, context], 2) as tf.Tensor3D;
      this.decoder.forEach((layer, l) => {
        if (l > 0) y = this.dropout.apply(y, kw) as tf.Tensor3D;
        y = (layer.apply(y, { ...kw, initialState: states[l]! }) as tf.Tensor[])[0] as tf.Tensor3D;
      });
      return this.dense.apply(y) as tf.Tensor3D;                                 // [B, T_tgt, V]
    });
  }

  trainStep(batch: Seq2SeqBatch, optimizer: tf.Optimizer, clipNorm: number | null): StepResult {
    let tokens = 0;
    const result = trainStep(() => tf.tidy(() => {
      const loss = maskedCrossEntropy(this.forward(batch, true), batch.tgtOut, batch.tgtLen);
      tokens = loss.count;
      return loss.mean;
    }), this.variables(), optimizer, clipNorm);
    return { ...result, tokens };
  }

  dispose(): void {
    for (const layer of [this.srcEmb, ...this.encoder, this.tgtEmb, ...this.decoder, this.dense, this.dropout]) layer.dispose();
  }

  get config(): LayersSeq2SeqConfig { return this.cfg; }
}
