/**
 * Input folding: a time-batched recurrent node reads its input as parts when that input is an
 * `embedding`, or a `concat` of sequences, `repeat`ed per-sentence vectors and embeddings (d2l's
 * decoder input `[tgt_emb; context]`):
 *
 *     encoder = runRecurrent(cell, params, [embedded(this.params.src_emb, src)], …)
 *     decoder = runRecurrent(cell, params, [embedded(this.params.tgt_emb, batch.tgtIn), repeated(encoded.encoder_state_top)], …)
 *
 * The runtime (nn/recurrent.ts) projects a repeated vector once per sentence and adds it to every
 * step, instead of tiling it over T (a [B, T, D] copy) and multiplying T copies by its rows of W_ih
 * (d2l's decoder: half of the first layer's input projection, forward and backward); and projects an
 * embedding as a table E·W_ih [V, G·H] looked up per token when V < B·T. The results are the same
 * sums. Only when nothing else reads the concat, repeat or embedding: they are then not evaluated in
 * time-batched bodies. One-step bodies (decodeStep) are unchanged.
 */
import type { Ref } from '../../src/spec/types.js';
import type { IRNode } from './types.js';

export type FoldedPart =
  | { kind: 'sequence'; ref: Ref }
  | { kind: 'repeated'; ref: Ref; repeat: IRNode }
  | { kind: 'embedded'; ids: Ref; embedding: IRNode };

export interface RepeatFold {
  /** The node read as parts: a concat, or the embedding itself. */
  input: IRNode;
  /** The references it reads as written (`[tgt_emb, context]`; `[source]` for an embedding). */
  written: readonly Ref[];
  parts: FoldedPart[];
}

/** Folds by recurrent node name, and the names of the nodes they make unnecessary. */
export interface RepeatFolds {
  byRecurrent: ReadonlyMap<string, RepeatFold>;
  skipped: ReadonlySet<string>;
}

export function findRepeatFolds(nodes: readonly IRNode[], output: IRNode): RepeatFolds {
  const byName = new Map(nodes.map((n) => [n.node.name, n]));
  const readers = new Map<string, Array<{ reader: IRNode; role: string }>>();
  for (const n of nodes) for (const { ref, role } of n.inputs) readers.set(ref.base, [...(readers.get(ref.base) ?? []), { reader: n, role }]);
  /**
   * Batched, not the model's output, and read only once by `by`, or else only by repeats folded
   * with it that read it as their `like` (the time axis, which the other parts give).
   */
  const foldable = (n: IRNode | undefined, by: IRNode, folded: ReadonlySet<IRNode> = new Set()): n is IRNode => {
    if (n === undefined || n.loop !== null || n === output) return false;
    const reads = readers.get(n.node.name) ?? [];
    return reads.filter((r) => r.reader === by).length === 1 &&
      reads.every((r) => r.reader === by || (r.role === 'like' && folded.has(r.reader)));
  };
  const byRecurrent = new Map<string, RepeatFold>();
  const skipped = new Set<string>();
  /** A reference read by `by` (a concat, or the recurrent node) as a part: repeats first, then embeddings. */
  const partsOf = (refs: readonly Ref[], by: IRNode): FoldedPart[] => {
    const source = (ref: Ref): IRNode | undefined => (!ref.delayed && ref.part === 'output' ? byName.get(ref.base) : undefined);
    const repeats = new Set(refs.map(source).filter((n): n is IRNode => n?.node.op === 'repeat' && foldable(n, by)));
    return refs.map((ref): FoldedPart => {
      const n = source(ref);
      if (n !== undefined && repeats.has(n) && n.node.op === 'repeat') return { kind: 'repeated', ref: n.node.input, repeat: n };
      if (n?.node.op === 'embedding' && foldable(n, by, repeats)) return { kind: 'embedded', ids: n.node.input, embedding: n };
      return { kind: 'sequence', ref };
    });
  };
  for (const r of nodes) {
    if (r.node.op !== 'recurrent' || r.loop !== null) continue;
    const ref = r.node.input;
    const input = byName.get(ref.base);
    if (ref.delayed || ref.part !== 'output' || input === undefined) continue;
    let fold: RepeatFold | null = null;
    if (input.node.op === 'concat' && foldable(input, r)) {
      fold = { input, written: input.node.inputs, parts: partsOf(input.node.inputs, input) };
    } else if (input.node.op === 'embedding') {
      const parts = partsOf([ref], r);
      if (parts[0]!.kind === 'embedded') fold = { input, written: [input.node.input], parts };
    }
    if (fold === null || fold.parts.every((p) => p.kind === 'sequence') || fold.parts.every((p) => p.kind === 'repeated')) continue;
    byRecurrent.set(r.node.name, fold);
    for (const name of foldedNodes(fold)) skipped.add(name);
  }
  return { byRecurrent, skipped };
}

/** `context once per sentence, tgt_emb via its projected table` (comments and the header). */
export function describeFold(fold: RepeatFold): string {
  return fold.parts.flatMap((p) => {
    if (p.kind === 'repeated') return [`${p.repeat.node.name} once per sentence`];
    if (p.kind === 'embedded') return [`${p.embedding.node.name} via its projected table when V < B·T`];
    return [];
  }).join(', ');
}

/** The nodes a fold leaves unevaluated in time-batched bodies. */
export function foldedNodes(fold: RepeatFold): string[] {
  return [
    ...(fold.input.node.op === 'concat' ? [fold.input.node.name] : []),
    ...fold.parts.flatMap((p) => (p.kind === 'repeated' ? [p.repeat.node.name] : p.kind === 'embedded' ? [p.embedding.node.name] : [])),
  ];
}
