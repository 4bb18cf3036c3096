/**
 * Type-level checks on the committed modules (checked by `npm run typecheck`, which compiles
 * test/ and models/generated/): the decoder-state type follows the YAML's cell — LSTM's has `c`,
 * GRU's and RNN's do not — and every generated class satisfies the contract of module.ts.
 * At run time the same facts are checked on the compiled classes' states.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import path from 'node:path';
import type D2lSeq2seqGru from '../../models/generated/d2l-seq2seq-gru.js';
import type { D2lSeq2seqGruDecoderState, D2lSeq2seqGruEncoded } from '../../models/generated/d2l-seq2seq-gru.js';
import type D2lSeq2seqLstm from '../../models/generated/d2l-seq2seq-lstm.js';
import type { D2lSeq2seqLstmDecoderState, D2lSeq2seqLstmEncoded } from '../../models/generated/d2l-seq2seq-lstm.js';
import type { D2lSeq2seqRnnDecoderState } from '../../models/generated/d2l-seq2seq-rnn.js';
import type TimemachineCharRnn from '../../models/generated/timemachine-char-rnn.js';
import type { TimemachineCharRnnState } from '../../models/generated/timemachine-char-rnn.js';
import { loadGeneratedModule } from '../../src/compile/index.js';
import type { GeneratedModuleClass, LanguageModelModule, Seq2SeqModule } from '../../src/runtime/module.js';
import { useBackend } from '../../src/runtime/backend/index.js';
import { REPO } from './helpers.js';

describe('generated types', () => {
  it('the decoder state has c exactly when the cell is an LSTM', () => {
    expectTypeOf<D2lSeq2seqLstmDecoderState['decoder_state']>().toEqualTypeOf<{ h: tf.Tensor3D; c: tf.Tensor3D }>();
    expectTypeOf<D2lSeq2seqGruDecoderState['decoder_state']>().toEqualTypeOf<{ h: tf.Tensor3D }>();
    expectTypeOf<D2lSeq2seqRnnDecoderState['decoder_state']>().toEqualTypeOf<{ h: tf.Tensor3D }>();
    expectTypeOf<D2lSeq2seqGruDecoderState['decoder_state']>().not.toHaveProperty('c');
    expectTypeOf<D2lSeq2seqLstmEncoded['encoder_state']>().toHaveProperty('c');
    expectTypeOf<D2lSeq2seqGruEncoded['encoder_state']>().not.toHaveProperty('c');
    expectTypeOf<TimemachineCharRnnState['rnn_state']>().not.toHaveProperty('c');
    const read = (s: D2lSeq2seqGruDecoderState): unknown =>
      // @ts-expect-error a GRU state has no cell state
      s.decoder_state.c;
    expect(typeof read).toBe('function');
  });

  it('the classes implement module.ts', async () => {
    expectTypeOf<typeof D2lSeq2seqGru>().toExtend<GeneratedModuleClass>();
    expectTypeOf<typeof D2lSeq2seqLstm>().toExtend<GeneratedModuleClass>();
    expectTypeOf<typeof TimemachineCharRnn>().toExtend<GeneratedModuleClass>();
    expectTypeOf<D2lSeq2seqLstm>().toExtend<Seq2SeqModule<D2lSeq2seqLstmEncoded, D2lSeq2seqLstmDecoderState>>();
    expectTypeOf<TimemachineCharRnn>().toExtend<LanguageModelModule<TimemachineCharRnnState>>();
    // At run time (the same code, compiled by src/compile): the states really differ.
    await useBackend('cpu');
    const make = async (cell: string): Promise<Seq2SeqModule> => {
      const { ModuleClass } = await loadGeneratedModule(path.join(REPO, `models/d2l-seq2seq-${cell}.yaml`));
      return new ModuleClass({ vocab: { source: 6, target: 7 }, seed: 0 }) as Seq2SeqModule;
    };
    const [lstm, gru, rnn] = [await make('lstm'), await make('gru'), await make('rnn')];
    const src = tf.tensor2d([[4, 5, 3]], undefined, 'int32');
    const len = tf.tensor1d([3], 'int32');
    for (const [m, hasC] of [[lstm, true], [gru, false], [rnn, false]] as const) {
      const encoded = m.encode(src, len, false);
      const state = m.initDecoderState(encoded, len) as { decoder_state: { h: tf.Tensor; c?: tf.Tensor } };
      expect(state.decoder_state.h.shape).toEqual([2, 1, 32]);
      expect('c' in state.decoder_state).toBe(hasC);
      m.disposeState(state);
      m.disposeEncoded(encoded);
      m.dispose();
    }
    tf.dispose([src, len]);
  });
});
