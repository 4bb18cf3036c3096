/**
 * Pass 3a, "emit module" (the members every module has): the constructor (typed config, cell
 * configs, parameters from the seed), `variables`, the checkpoint boundary (`exportTensors` /
 * `importTensors`: `<weights prefix>.<param>` names in PyTorch layouts, through the runtime's
 * torch-layout converters), the dropout RNG's state (`rngState` / `setRngState`, for exact resume),
 * `dispose`, and the file's small helpers.
 */
import type { ClassDeclarationStructure, MethodDeclarationStructure, OptionalKind, PropertyDeclarationStructure, SourceFile } from 'ts-morph';
import { Scope as TsScope } from 'ts-morph';
import { TF } from '../framework/imports.js';
import { stringLiteral } from '../framework/text.js';
import type { IRNode } from '../ir/types.js';
import { emitterFor } from '../emit/ops/index.js';
import type { NodeOf, ParamsEmitter } from '../emit/ops/types.js';
import { cellConfigLiteral } from '../emit/ops/recurrent.js';
import type { Gen } from './context.js';
import { vocabStreams } from './emit-types.js';

type Method = OptionalKind<MethodDeclarationStructure>;
type Property = OptionalKind<PropertyDeclarationStructure>;

function paramNodes(g: Gen): { node: IRNode; params: ParamsEmitter<never> }[] {
  return g.ir.nodes
    .map((node) => ({ node, params: emitterFor(node.node.op).params as ParamsEmitter<never> | null }))
    .filter((x): x is { node: IRNode; params: ParamsEmitter<never> } => x.params !== null);
}

export function commonProperties(g: Gen): Property[] {
  const d = g.ir.spec.decode;
  const c = g.ir.className;
  return [
    { name: 'specName', isStatic: true, isReadonly: true, initializer: stringLiteral(g.ir.spec.name) },
    { name: 'task', isStatic: true, isReadonly: true, initializer: stringLiteral(g.ir.task) },
    {
      name: 'decodeDefaults', isStatic: true, isReadonly: true,
      docs: ['The spec\'s `decode:` settings.'],
      initializer: `{ strategy: ${stringLiteral(d.strategy)}, beamSize: ${d.beam_size}, maxLen: ${d.max_len}, ` +
        `lengthPenalty: ${d.length_penalty}, nBest: ${d.n_best} } as const`,
    },
    { name: 'specName', isReadonly: true, initializer: `${c}.specName` },
    { name: 'task', isReadonly: true, initializer: `${stringLiteral(g.ir.task)} as const` },
    { name: 'config', isReadonly: true, type: g.names.config },
    { name: 'cells', isReadonly: true, type: g.names.cells },
    { name: 'params', isReadonly: true, type: g.names.params },
    { name: 'rng', scope: TsScope.Private, isReadonly: true, type: g.imports.type('Rng'), docs: ['Dropout masks (and scheduled sampling): a stream forked after initialization.'] },
  ];
}

export function constructorOf(g: Gen): ClassDeclarationStructure['ctors'] {
  const streams = vocabStreams(g.ir);
  return [{
    parameters: [{ name: 'config', type: g.imports.type('ModuleConfig') }],
    statements: (w) => {
      w.writeLine(`const v = { ${streams.map((s) => `${s}: vocabSize(config, ${stringLiteral(s)})`).join(', ')} };`);
      w.writeLine('this.config = { seed: config.seed, vocab: v };');
      w.write(`const cells: ${g.names.cells} = `).inlineBlock(() => {
        for (const node of g.ir.nodes) if (node.recurrent) w.writeLine(`${node.id}: ${cellConfigLiteral(node as NodeOf<'recurrent'>)},`);
      }).write(';').newLine();
      w.writeLine('this.cells = cells;');
      w.writeLine(`const rng = ${g.imports.use('createRng')}(config.seed);`);
      w.write('this.params = ').inlineBlock(() => {
        for (const { node, params } of paramNodes(g)) w.writeLine(`${node.id}: ${params.create(node as never, g.imports)},`);
      }).write(';').newLine();
      w.writeLine('this.rng = rng.fork();');
    },
  }];
}

export function commonMethods(g: Gen): Method[] {
  const nodes = paramNodes(g);
  const all = nodes.map(({ node }) => `this.params.${node.id}`).join(', ');
  const torch = (fn: string, { node, params }: (typeof nodes)[number], args: string): string =>
    `${g.imports.use(fn)}(${stringLiteral(params.torchKind)}, ${params.torchConfig(node as never)}${args}, ${stringLiteral(node.node.weights)})`;
  return [
    {
      name: 'variables',
      docs: ['All trainable variables, in spec order.'],
      returnType: 'tf.Variable[]',
      statements: [`return ${g.imports.use('paramVariables')}(${all});`],
    },
    {
      name: 'exportTensors',
      docs: ['Parameters in PyTorch names (`<weights prefix>.<param>`) and layouts.'],
      returnType: g.imports.type('TensorDict'),
      statements: (w) => {
        w.writeLine('const v = this.config.vocab;');
        w.write('return ').inlineBlock(() => {
          for (const n of nodes) w.writeLine(`...${torch('toTorchTensors', n, `, this.params.${n.node.id}`)},`);
        }).write(';').newLine();
      },
    },
    {
      name: 'importTensors',
      docs: [[
        'Loads PyTorch-layout tensors named `<weights prefix>.<param>` (a d2l state_dict loads as is when the',
        'spec sets `weights:`). Unknown or missing names and wrong shapes are UserErrors.',
      ].join('\n')],
      parameters: [{ name: 'tensors', type: g.imports.type('TensorDict') }],
      returnType: 'void',
      statements: (w) => {
        w.writeLine('const v = this.config.vocab;');
        w.write('const expected = new Set(').write('[').newLine().indent(() => {
          for (const n of nodes) w.writeLine(`...${torch('torchParamNames', n, '')},`);
        }).write(']);').newLine();
        w.writeLine('const unknown = Object.keys(tensors).filter((name) => !expected.has(name));');
        w.write('if (unknown.length > 0) ').block(() => {
          w.writeLine(`throw new ${g.imports.use('UserError')}(\`checkpoint has tensors this model does not have: \${unknown.join(', ')}\`, \`expected: \${[...expected].join(', ')}\`);`);
        });
        w.writeLine('const missing = [...expected].filter((name) => tensors[name] === undefined);');
        w.write('if (missing.length > 0) ').block(() => {
          w.writeLine(`throw new ${g.imports.use('UserError')}(\`checkpoint lacks tensors: \${missing.join(', ')}\`);`);
        });
        for (const n of nodes) w.writeLine(`${torch('fromTorchTensors', n, `, tensors, this.params.${n.node.id}`)};`);
      },
    },
    {
      name: 'rngState',
      docs: ['The dropout (and scheduled-sampling) generator\'s state, saved with checkpoints for exact `--resume`.'],
      returnType: 'number[]',
      statements: ['return this.rng.getState();'],
    },
    {
      name: 'setRngState',
      docs: ['Restores a state from `rngState`: dropout masks continue as in an uninterrupted run.'],
      parameters: [{ name: 'state', type: 'number[]' }],
      returnType: 'void',
      statements: ['this.rng.setState(state);'],
    },
    {
      name: 'dispose',
      docs: ['Frees every parameter.'],
      returnType: 'void',
      statements: [`${g.imports.use('disposeParams')}(${all});`],
    },
  ];
}

/** `tidy` (tf.tidy for typed objects of tensors) and `vocabSize` (checked config sizes). */
export function addHelpers(file: SourceFile, g: Gen): void {
  file.addFunction({
    name: 'tidy',
    docs: ['`tf.tidy` for results that are typed objects of tensors (kept; every intermediate is freed).'],
    typeParameters: ['T'],
    parameters: [{ name: 'fn', type: '() => T' }],
    returnType: 'T',
    statements: [`return ${TF}.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;`],
  });
  file.addFunction({
    name: 'checkShape',
    docs: ['A module-boundary check: `tensor` has `shape` (null: any size), or a UserError saying what it got.'],
    parameters: [{ name: 'what', type: 'string' }, { name: 'tensor', type: 'tf.Tensor' }, { name: 'shape', type: 'readonly (number | null)[]' }],
    returnType: 'void',
    statements: (w) => {
      w.write('if (tensor.rank !== shape.length || shape.some((d, i) => d !== null && d !== tensor.shape[i])) ').block(() => {
        w.writeLine(`const want = shape.map((d) => d ?? '*').join(', ');`);
        w.writeLine(`throw new ${g.imports.use('UserError')}(\`${'${'}${g.ir.className}.specName}: \${what} has shape [\${tensor.shape.join(', ')}], expected [\${want}]\`);`);
      });
    },
  });
  file.addFunction({
    name: 'vocabSize',
    docs: ['A vocabulary size from the config: a positive integer, or a UserError naming it.'],
    parameters: [{ name: 'config', type: g.imports.type('ModuleConfig') }, { name: 'stream', type: `'source' | 'target' | 'tokens'` }],
    returnType: 'number',
    statements: (w) => {
      w.writeLine('const size = config.vocab[stream];');
      w.write('if (size === undefined || !Number.isInteger(size) || size < 1) ').block(() => {
        w.writeLine(`throw new ${g.imports.use('UserError')}(\`${'${'}${g.ir.className}.specName}: config.vocab.\${stream} must be a positive integer (got \${String(size)})\`);`);
      });
      w.writeLine('return size;');
    },
  });
}
