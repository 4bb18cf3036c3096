/** normalize: every default filled in one place, references parsed, paths resolved, ranges kept. */
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seqloomSchema } from '../../src/spec/schema-validator.generated.js';
import {
  DATA_DEFAULTS, DECODE_DEFAULTS, NODE_DEFAULTS, TRAIN_DEFAULTS, loadSpecText, type Spec,
} from '../../src/spec/index.js';
import { LANGUAGE_MODEL, SEQ2SEQ, edit } from './helpers.js';

function load(text: string, file = 'models/spec.yaml'): Spec {
  const result = loadSpecText(text, file);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.value!;
}
const codes = (text: string) => loadSpecText(text, 'spec.yaml').diagnostics.map((d) => `${d.code}:${d.severity}:${d.path}`);

describe('defaults', () => {
  it('a minimal seq2seq spec gets d2l-style data, training and decoding settings', () => {
    const spec = load(SEQ2SEQ);
    expect(spec.data).toEqual({
      path: null, resolvedPath: null, format: 'tsv', limit: null, preprocess: [], on_bad_line: 'error', valid_fraction: 0,
      max_vocab: null, bucketing: false, shared_bpe: false,
      source: { tokenizer: 'word', min_freq: 2, max_len: 10, merges: null },
      target: { tokenizer: 'word', min_freq: 2, max_len: 10, merges: null },
    });
    expect(spec.train).toEqual({
      loss: 'masked-cross-entropy', teacher_forcing: 1, optimizer: { name: 'adam', lr: 0.001 }, clip_norm: 1,
      epochs: 10, batch_size: 64, seed: 0, carry_state: false, checkpoint_every: null, keep_last: 1,
      batch_tokens: null, validate_every: 'epoch', bleu_sentences: 1000, keep_best: null, early_stopping: null,
      lr_schedule: { warmup_steps: 0, reduce_on_plateau: null },
    });
    expect(spec.decode).toEqual({ strategy: 'greedy', beam_size: 4, max_len: 10, length_penalty: 0, n_best: 1 });
  });

  it('a minimal language model gets a char stream, num_steps, sequential sampling and carried state', () => {
    const spec = load(LANGUAGE_MODEL);
    expect(spec.data).toEqual({
      path: null, resolvedPath: null, format: 'text', limit: null, preprocess: [], on_bad_line: 'error', valid_fraction: 0,
      max_vocab: null, bucketing: false, shared_bpe: false,
      tokens: { tokenizer: 'char', min_freq: 0, max_len: 35, merges: null }, num_steps: 35, sampling: 'sequential',
    });
    expect(spec.train.carry_state).toBe(true);
    expect(spec.decode.max_len).toBe(DECODE_DEFAULTS.lm_max_len);
    const random = load(edit(LANGUAGE_MODEL, 'graph:', 'data: { sampling: random, num_steps: 20 }\ngraph:'));
    expect(random.train.carry_state).toBe(false);
    expect(random.data.tokens!.max_len).toBe(20);
  });

  it('node defaults: layers, dropout, direction, nonlinearity, activation, attention kind/values/mask', () => {
    const text = edit(SEQ2SEQ, '  logits:', '  attn: { op: attention, query: decoder.prev, keys: encoder }\n  logits:');
    const nodes = Object.fromEntries(load(text).nodes.map((n) => [n.name, n]));
    expect(nodes.decoder).toMatchObject({ layers: 2, dropout: 0, bidirectional: false, nonlinearity: 'tanh', init: { base: 'encoder', part: 'state' } });
    expect(nodes.encoder).toMatchObject({ init: null, weights: 'encoder' });
    expect(nodes.logits).toMatchObject({ activation: 'none', units: { vocab: 'target', raw: 'target.vocab' } });
    expect(nodes.attn).toMatchObject({
      kind: 'additive', query: { base: 'decoder', part: 'output', delayed: true }, keys: { base: 'encoder' },
      values: { base: 'encoder', raw: 'encoder' }, mask: null, hidden: null,
    });
  });

  it('the learning rate default follows the optimizer', () => {
    expect(load(`${SEQ2SEQ}train: { optimizer: { name: sgd } }\n`).train.optimizer).toEqual({ name: 'sgd', lr: 0.1 });
    expect(load(`${SEQ2SEQ}train: { optimizer: { lr: 0.5 } }\n`).train.optimizer).toEqual({ name: 'adam', lr: 0.5 });
    expect(load(`${SEQ2SEQ}train: { clip_norm: null }\n`).train.clip_norm).toBeNull();
  });

  it('seq2seq decode.max_len defaults to the target max_len', () => {
    expect(load(`${SEQ2SEQ}data: { target: { max_len: 17 } }\n`).decode.max_len).toBe(17);
  });

  it('the schema\'s `default` annotations (what editors show) agree with normalize', () => {
    const defs = (seqloomSchema as unknown as { $defs: Record<string, { properties: Record<string, { default?: unknown; properties?: Record<string, { default?: unknown }> }> }> }).$defs;
    const annotated = (def: string) => Object.fromEntries(Object.entries(defs[def]!.properties)
      .filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default]));
    expect(annotated('recurrent')).toEqual(NODE_DEFAULTS.recurrent);
    expect(annotated('dense')).toEqual(NODE_DEFAULTS.dense);
    expect(annotated('attention')).toEqual(NODE_DEFAULTS.attention);
    expect(annotated('data')).toEqual(DATA_DEFAULTS);
    const { optimizer, ...train } = TRAIN_DEFAULTS;
    expect(annotated('train')).toEqual(train);
    expect(defs.train!.properties.optimizer!.properties!.name!.default).toBe(optimizer);
    const { lm_max_len: _lm, ...decode } = DECODE_DEFAULTS;
    expect(annotated('decode')).toEqual(decode);
  });
});

describe('what normalize keeps', () => {
  it('resolves data.path against the spec file\'s folder, and keeps it as written', () => {
    const spec = load(`${SEQ2SEQ}data: { path: ../data/pairs.tsv }\n`, 'models/spec.yaml');
    expect(spec.data.path).toBe('../data/pairs.tsv');
    expect(spec.data.resolvedPath).toBe(resolve('data/pairs.tsv'));
    expect(spec.file).toBe(resolve('models/spec.yaml'));
    const absolute = load(`${SEQ2SEQ}data: { path: /srv/pairs.tsv }\n`, '/elsewhere/spec.yaml');
    expect(absolute.data.resolvedPath).toBe('/srv/pairs.tsv');
    expect(load(`${SEQ2SEQ}data: { path: p.tsv }\n`, '<stdin>').data.resolvedPath).toBe(join(process.cwd(), 'p.tsv'));
    expect(dirname(spec.file)).toBe(resolve('models'));
  });

  it('keeps the source text, the nodes in written order, and ranges for names, nodes, keys and refs', () => {
    const spec = load(SEQ2SEQ);
    expect(spec.source).toBe(SEQ2SEQ);
    expect(spec.nodes.map((n) => n.name)).toEqual(['src_emb', 'encoder', 'tgt_emb', 'context', 'dec_in', 'decoder', 'logits']);
    const slice = (r: { start: number; end: number }) => SEQ2SEQ.slice(r.start, r.end);
    const decoder = spec.nodes[5]!;
    expect(slice(decoder.nameRange)).toBe('decoder');
    expect(slice(decoder.range)).toBe('{ op: recurrent, cell: gru, input: dec_in, hidden: 16, layers: 2, init: encoder.state }');
    expect(slice(decoder.keyRanges.hidden!)).toBe('16');
    expect(decoder.op === 'recurrent' && slice(decoder.init!.range)).toBe('encoder.state');
    const concat = spec.nodes[4]!;
    expect(concat.op === 'concat' && concat.inputs.map((r) => slice(r.range))).toEqual(['tgt_emb', 'context']);
    expect(slice(spec.output.range)).toBe('logits');
    expect(slice(spec.ranges['/graph/encoder/layers']!)).toBe('2');
  });
});

describe('cross-field rules', () => {
  it('streams and data keys must fit the task', () => {
    expect(codes(`${SEQ2SEQ}data: { tokens: {}, num_steps: 3 }\n`)).toEqual(['N001:error:/data/tokens', 'N001:error:/data/num_steps']);
    expect(codes(edit(LANGUAGE_MODEL, 'graph:', 'data: { source: {} }\ngraph:'))).toEqual(['N001:error:/data/source']);
    expect(codes(`${SEQ2SEQ}data: { format: text }\n`)).toEqual(['N001:error:/data/format']);
  });
  it('n_best cannot exceed the beam, and greedy finds one', () => {
    expect(codes(`${SEQ2SEQ}decode: { strategy: beam, beam_size: 3, n_best: 3 }\n`)).toEqual([]);
    expect(codes(`${SEQ2SEQ}decode: { strategy: beam, beam_size: 3, n_best: 4 }\n`)).toEqual(['N002:error:/decode/n_best']);
    expect(codes(`${SEQ2SEQ}decode: { n_best: 2 }\n`)).toEqual(['N002:error:/decode/n_best']);
    expect(codes(`${SEQ2SEQ}decode: { strategy: exhaustive, n_best: 5 }\n`)).toEqual([]);
  });
  it('options that do not apply', () => {
    expect(codes(edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gru, nonlinearity: relu, input: src_emb')))
      .toEqual(['N003:error:/graph/encoder/nonlinearity']);
    expect(codes(`${SEQ2SEQ}train: { carry_state: true }\n`)).toEqual(['N003:error:/train/carry_state']);
    expect(codes(edit(LANGUAGE_MODEL, 'graph:', 'data: { sampling: random }\ntrain: { carry_state: true }\ngraph:')))
      .toEqual(['N003:error:/train/carry_state']);
    // Warnings: the spec still loads.
    const warned = loadSpecText(edit(LANGUAGE_MODEL, 'hidden: 16 }', 'hidden: 16, dropout: 0.2 }'), 'spec.yaml');
    expect(warned.diagnostics.map((d) => `${d.code}:${d.severity}`)).toEqual(['N003:warning']);
    expect(warned.value).not.toBeNull();
  });
  it('malformed references are errors; all of them are reported', () => {
    const text = edit(edit(SEQ2SEQ, 'init: encoder.state', 'init: encoder.stat'), 'output: logits', 'output: Logits');
    expect(codes(text)).toEqual(['R001:error:/graph/decoder/init', 'R001:error:/output']);
  });
});
