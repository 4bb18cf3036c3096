/** Schema errors: one per real problem, on the offending key or value, with "did you mean". */
import { describe, expect, it } from 'vitest';
import { loadSpecText } from '../../src/spec/index.js';
import { LANGUAGE_MODEL, SEQ2SEQ, edit, where } from './helpers.js';

function problems(text: string) {
  return loadSpecText(text, 'spec.yaml').diagnostics.map((d) => ({
    code: d.code, path: d.path, suggestion: d.suggestion, ...where(d, text),
  }));
}

describe('schema diagnostics', () => {
  it('the minimal specs are valid', () => {
    expect(loadSpecText(SEQ2SEQ, 'spec.yaml').diagnostics).toEqual([]);
    expect(loadSpecText(LANGUAGE_MODEL, 'spec.yaml').diagnostics).toEqual([]);
  });

  it('an unknown key is marked on the key, with the nearest allowed key', () => {
    expect(problems(edit(SEQ2SEQ, 'layers: 2, dropout', 'layerz: 2, dropout'))).toEqual([
      { code: 'S001', path: '/graph/encoder/layerz', suggestion: 'layers', line: 6, column: 68, covered: 'layerz' },
    ]);
    expect(problems(`${SEQ2SEQ}trian: { epochs: 3 }\n`)).toMatchObject([{ code: 'S001', suggestion: 'train', line: 13, column: 1 }]);
  });

  it('a misspelled required key is one problem, not also a missing key', () => {
    expect(problems(edit(SEQ2SEQ, 'dim: 8 }\n  encoder', 'dimm: 8 }\n  encoder')).map((p) => p.code)).toEqual(['S001']);
  });

  it('a missing key is marked on the mapping that lacks it', () => {
    expect(problems(edit(SEQ2SEQ, ', like: tgt_emb', ''))).toEqual([
      { code: 'S002', path: '/graph/context/like', suggestion: undefined, line: 8, column: 3, covered: 'context' },
    ]);
    expect(problems(edit(SEQ2SEQ, 'task: seq2seq\n', ''))).toMatchObject([{ code: 'S002', path: '/task', line: 1, column: 1 }]);
  });

  it('enum values get did-you-mean: cell, op, activation, strategy, preprocess steps', () => {
    expect(problems(edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb'))).toEqual([
      { code: 'S004', path: '/graph/encoder/cell', suggestion: 'gru', line: 6, column: 35, covered: 'gur' },
    ]);
    expect(problems(edit(SEQ2SEQ, '{ op: dense,', '{ op: dens,'))).toEqual([
      { code: 'S008', path: '/graph/logits/op', suggestion: 'dense', line: 11, column: 17, covered: 'dens' },
    ]);
    expect(problems(edit(SEQ2SEQ, 'units: target.vocab', 'units: 5, activation: tahn'))[0]).toMatchObject({ code: 'S004', suggestion: 'tanh' });
    expect(problems(`${SEQ2SEQ}decode: { strategy: bean }\n`)[0]).toMatchObject({ code: 'S004', suggestion: 'beam', covered: 'bean' });
    expect(problems(`${SEQ2SEQ}data: { preprocess: [lowercas] }\n`)[0]).toMatchObject({ code: 'S004', path: '/data/preprocess/0', suggestion: 'lowercase' });
  });

  it('an unknown op is reported once, whatever else the node holds', () => {
    const text = edit(SEQ2SEQ, '{ op: dense, input: decoder, units: target.vocab }', '{ op: softmax, input: decoder, units: x, whatever: 1 }');
    expect(problems(text).map((p) => [p.code, p.path])).toEqual([['S008', '/graph/logits/op']]);
  });

  it('a node that is not a mapping, or has no op, is one problem', () => {
    expect(problems(edit(SEQ2SEQ, '{ op: repeat, input: encoder.state.top, like: tgt_emb }', '42')).map((p) => p.code)).toEqual(['S003']);
    expect(problems(edit(SEQ2SEQ, 'op: repeat, ', '')).map((p) => [p.code, p.path])).toEqual([['S002', '/graph/context/op']]);
  });

  it('wrong types and out-of-range numbers are marked on the value', () => {
    expect(problems(edit(SEQ2SEQ, 'hidden: 16, layers: 2, dropout', 'hidden: 16.5, layers: 2, dropout'))).toMatchObject([
      { code: 'S003', path: '/graph/encoder/hidden', covered: '16.5' },
    ]);
    expect(problems(edit(SEQ2SEQ, 'dim: 8 }\n  encoder', 'dim: 0 }\n  encoder'))).toMatchObject([{ code: 'S005', covered: '0' }]);
    expect(problems(`${SEQ2SEQ}train: { optimizer: { lr: 0 }, clip_norm: -1, teacher_forcing: 2 }\n`).map((p) => p.path))
      .toEqual(['/train/optimizer/lr', '/train/clip_norm', '/train/teacher_forcing']);
    expect(problems(`${SEQ2SEQ}train: { optimizer: { lr: .inf } }\n`)).toMatchObject([{ code: 'S005', covered: '.inf' }]);
    expect(problems(`${SEQ2SEQ}train: { clip_norm: null }\n`)).toEqual([]);
    expect(problems(`${SEQ2SEQ}train: { clip_norm: .nan }\n`)).toMatchObject([{ code: 'S005' }]);
  });

  it('sizes are a positive integer or <stream>.vocab, with one message for either', () => {
    expect(problems(edit(SEQ2SEQ, 'units: target.vocab', 'units: target.vocb'))).toMatchObject([
      { code: 'S004', suggestion: 'target.vocab', covered: 'target.vocb' },
    ]);
    expect(problems(edit(SEQ2SEQ, 'units: target.vocab', 'units: -3'))).toMatchObject([{ code: 'S005', covered: '-3' }]);
    expect(problems(edit(SEQ2SEQ, 'units: target.vocab', 'units: [3]'))).toMatchObject([{ code: 'S003' }]);
  });

  it('node names: lowercase identifiers, no reserved words, no stream names', () => {
    expect(problems(edit(SEQ2SEQ, '  dec_in:', '  Dec-In:'))).toMatchObject([{ code: 'S006', suggestion: 'dec_in', covered: 'Dec-In' }]);
    expect(problems(edit(SEQ2SEQ, '  dec_in:', '  2nd:'))).toMatchObject([{ code: 'S006', covered: '2nd' }]);
    for (const word of ['class', 'new', 'function', 'await', 'constructor', 'source', 'tokens']) {
      expect(problems(edit(SEQ2SEQ, '  dec_in:', `  ${word}:`))).toMatchObject([{ code: 'S007', covered: word }]);
    }
  });

  it('model name and weights prefix patterns', () => {
    expect(problems(edit(SEQ2SEQ, 'name: tiny', 'name: My Model'))).toMatchObject([{ code: 'S006', suggestion: 'my-model', covered: 'My Model' }]);
    expect(problems(edit(SEQ2SEQ, 'name: tiny', 'name: tiny_model'))).toMatchObject([{ code: 'S006', suggestion: 'tiny-model' }]);
    expect(problems(edit(SEQ2SEQ, 'units: target.vocab', 'units: target.vocab, weights: decoder.dense'))).toEqual([]);
    expect(problems(edit(SEQ2SEQ, 'units: target.vocab', 'units: target.vocab, weights: "decoder..dense"'))).toMatchObject([{ code: 'S006' }]);
  });

  it('a duplicate list item is marked on the repeat', () => {
    const text = `${SEQ2SEQ}data: { preprocess: [lowercase, lowercase] }\n`;
    expect(problems(text)).toMatchObject([{ code: 'S009', path: '/data/preprocess/1', column: 33 }]);
  });

  it('several independent problems each get exactly one diagnostic', () => {
    let text = edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb');
    text = edit(text, 'dim: 8 }\n  encoder', 'dim: -8 }\n  encoder');
    text = edit(text, '{ op: dense,', '{ op: dens,');
    text = `${text}decode: { beam: 3 }\n`;
    expect(problems(text).map((p) => p.code).sort()).toEqual(['S001', 'S004', 'S005', 'S008']);
  });
});
