/**
 * `forward`/`decode` build the module at the vocabulary sizes IN.json states, then load the weights
 * into it. A wrong size used to be caught only by that load — after the module had allocated
 * parameters for it (vocab.target 16777216: 10 s and 900 MB before the shape error). This reads the
 * sizes the weights imply from the graph (embedding `<prefix>.weight` is [V, D]; a dense whose
 * input or output is a vocabulary has `<prefix>.weight` [Out, In]) and compares them first.
 */
import type { Spec, StreamName } from '../spec/types.js';
import { buildGraph } from '../graph/build.js';
import type { VocabSymbol, Width } from '../graph/types.js';
import { UserError } from '../errors.js';

const STREAM_OF: Record<VocabSymbol, StreamName> = { V_source: 'source', V_target: 'target', V_tokens: 'tokens' };

export interface WeightsVocab { size: number; tensor: string; shape: number[] }

/** Vocabulary sizes read off the weights' shapes, per stream (streams with no tensor to read: absent). */
export function vocabFromWeights(spec: Spec, tensors: Record<string, { shape: number[] }>): Partial<Record<StreamName, WeightsVocab>> {
  const graph = buildGraph(spec);
  const found: Partial<Record<StreamName, WeightsVocab>> = {};
  if (graph.value === null) return found;
  const note = (w: Width, tensor: string, axis: number) => {
    if (typeof w === 'number') return;
    const t = tensors[tensor];
    const size = t?.shape[axis];
    if (t === undefined || size === undefined || found[STREAM_OF[w]] !== undefined) return;
    found[STREAM_OF[w]] = { size, tensor, shape: t.shape };
  };
  for (const name of graph.value.order) {
    const info = graph.value.nodes[name]!;
    const p = info.params;
    const weight = `${info.spec.weights}.weight`;
    if (p?.op === 'embedding') note(p.vocab, weight, 0);
    if (p?.op === 'dense') {
      note(p.outSize, weight, 0);
      note(p.inSize, weight, 1);
    }
  }
  return found;
}

/** A UserError naming IN.json when its vocabulary sizes differ from the ones the weights were trained with. */
export function checkInputVocab(
  spec: Spec, tensors: Record<string, { shape: number[] }>, vocab: Partial<Record<StreamName, number>>,
  inputFile: string, weightsFile: string,
): void {
  const fromWeights = vocabFromWeights(spec, tensors);
  const want: Partial<Record<StreamName, number>> = {};
  for (const [stream, w] of Object.entries(fromWeights)) want[stream as StreamName] = w.size;
  for (const [stream, w] of Object.entries(fromWeights) as [StreamName, WeightsVocab][]) {
    const given = vocab[stream];
    if (given === undefined || given === w.size) continue;
    throw new UserError(`${inputFile}: vocab.${stream} is ${given}, but ${weightsFile} was trained with ${w.size}`
      + ` (${w.tensor} has shape [${w.shape.join(', ')}])`, `set "vocab": ${JSON.stringify({ ...vocab, ...want })} in ${inputFile}`);
  }
}
