/**
 * Pass 3c, "emit module": the searches of a seq2seq module. `greedy`, `beam` and `exhaustive` encode
 * the batch once, start one decoder state per sentence, and hand `decodeStep`/`selectState`/
 * `disposeState` (as a `SearchModel`) to the runtime's batched searches.
 */
import type { MethodDeclarationStructure, OptionalKind } from 'ts-morph';
import { Scope as TsScope } from 'ts-morph';
import type { Gen } from './context.js';

type Method = OptionalKind<MethodDeclarationStructure>;

export function searchMethods(g: Gen): Method[] {
  const i = g.imports;
  const S = g.names.state;
  // With attention over the source, the searches cut each hypothesis' weights to its sentence's length.
  const lengths = g.layout.attention !== null ? ', sourceLengths: srcLen' : '';
  const search = (name: string, fn: string, extra: string, doc: string): Method => ({
    name,
    docs: [doc],
    parameters: [{ name: 'src', type: 'tf.Tensor2D' }, { name: 'srcLen', type: 'tf.Tensor1D' }, { name: 'opts', type: i.type('SearchOptions') }],
    returnType: `${i.type('Hypothesis')}[][]`,
    statements: [`return this.runSearch(src, srcLen, (init) => ${i.use(fn)}(this.searchModel, init, { ...opts, batch: src.shape[0]${extra}${lengths} }));`],
  });
  return [
    search('greedy', 'greedySearch', '', 'Greedy decoding: per sentence, one hypothesis.'),
    search('beam', 'beamSearch', `, beamSize: opts.beamSize ?? ${g.ir.className}.decodeDefaults.beamSize`, 'Beam search: per sentence, the n-best finished hypotheses.'),
    search('exhaustive', 'exhaustiveSearch', '', 'Every sequence up to maxLen (tiny vocabularies): the oracle for beam search.'),
    {
      name: 'runSearch',
      scope: TsScope.Private,
      parameters: [
        { name: 'src', type: 'tf.Tensor2D' }, { name: 'srcLen', type: 'tf.Tensor1D' },
        { name: 'search', type: `(init: ${S}) => ${i.type('Hypothesis')}[][]` },
      ],
      returnType: `${i.type('Hypothesis')}[][]`,
      statements: (w) => {
        w.writeLine('const init = tidy(() => this.initDecoderState(this.encode(src, srcLen, false), srcLen));');
        w.writeLine('try {').indent(() => w.writeLine('return search(init);'));
        w.writeLine('} finally {').indent(() => w.writeLine('this.disposeState(init);')).writeLine('}');
      },
    },
  ];
}
