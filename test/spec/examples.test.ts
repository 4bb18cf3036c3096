/** The example specs in models/: all valid (graph included), editor-ready, every key commented. */
import { describe, expect, it } from 'vitest';
import { checkSpecText } from '../../src/cli/commands/validate.js';
import { exampleSpecs } from './helpers.js';

const examples = exampleSpecs();

describe('models/*.yaml', () => {
  it('has the required examples', () => {
    expect(examples.map((e) => e.name)).toEqual(expect.arrayContaining([
      'd2l-seq2seq-gru.yaml', 'd2l-seq2seq-lstm.yaml', 'd2l-seq2seq-rnn.yaml', 'd2l-seq2seq-attention.yaml',
      'timemachine-char-rnn.yaml', 'eng-cmn-seq2seq.yaml',
    ]));
  });

  for (const { name, text } of examples) {
    describe(name, () => {
      it('validates with no diagnostics at all, graph checks included', async () => {
        const check = await checkSpecText(text, `models/${name}`);
        expect(check.diagnostics).toEqual([]);
        expect(check.spec!.name).toBe(name.replace(/\.yaml$/, ''));
      });
      it('points editors at the schema on its first line', () => {
        expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/seqloom.schema.json');
      });
      it('comments every key', () => {
        const uncommented = text.split('\n').filter((line) => /^\s*[A-Za-z_<][\w-]*:/.test(line) && !/\s#\s/.test(line));
        expect(uncommented).toEqual([]);
      });
    });
  }

  it('the d2l gru/lstm/rnn variants differ only in their name and the one `cell:` word', () => {
    const byName = Object.fromEntries(examples.map((e) => [e.name, e.text]));
    const gru = byName['d2l-seq2seq-gru.yaml']!.split('\n');
    for (const cell of ['lstm', 'rnn']) {
      const other = byName[`d2l-seq2seq-${cell}.yaml`]!.split('\n');
      expect(other.length).toBe(gru.length);
      const changed = gru.flatMap((line, i) => (line === other[i] ? [] : [[line, other[i]]]));
      expect(changed).toHaveLength(2);
      expect(changed[0]![1]).toMatch(new RegExp(`^name: d2l-seq2seq-${cell}\\s`));
      expect(changed[1]![0]!.replace('&cell gru', `&cell ${cell}`)).toBe(changed[1]![1]);
    }
  });

  it('the attention example wires Bahdanau attention into the decoder', async () => {
    const text = examples.find((e) => e.name === 'd2l-seq2seq-attention.yaml')!.text;
    const spec = (await checkSpecText(text, 'models/d2l-seq2seq-attention.yaml')).spec!;
    const attn = spec.nodes.find((n) => n.op === 'attention');
    expect(attn).toMatchObject({
      kind: 'additive', query: { base: 'decoder', delayed: true }, keys: { base: 'encoder', part: 'output' },
      values: { base: 'encoder' }, mask: { base: 'source' },
    });
    const decIn = spec.nodes.find((n) => n.name === 'dec_in');
    expect(decIn?.op === 'concat' && decIn.inputs.map((r) => r.base)).toEqual([attn!.name, 'tgt_emb']);
  });
});
