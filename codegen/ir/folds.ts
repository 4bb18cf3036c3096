/**
 * Repeat folding: a time-batched recurrent node whose input is `concat` of sequences and `repeat`ed
 * per-sentence vectors (d2l's decoder input `[tgt_emb; context]`) reads the parts directly:
 *
 *     decoder = runRecurrent(cell, params, [tgt_emb, repeated(encoded.encoder_state_top)], …)
 *
 * The runtime projects the repeated vector once per sentence and adds it to every step, instead of
 * tiling it over T (a [B, T, D] copy) and multiplying T copies by its rows of W_ih (for d2l's
 * decoder: half of the first layer's input projection, forward and backward). The result is the same
 * sum. Only when nothing else reads the concat or the repeat: they are then not evaluated at all in
 * time-batched bodies. One-step bodies (decodeStep) are unchanged: there a repeat is the identity.
 */
import type { Ref } from '../../src/spec/types.js';
import type { IRNode } from './types.js';

export type FoldedPart = { kind: 'sequence'; ref: Ref } | { kind: 'repeated'; ref: Ref; repeat: IRNode };

export interface RepeatFold {
  /** The concat node read as parts. */
  concat: IRNode;
  /** The concat's references as written (`[tgt_emb, context]`). */
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
  const readers = new Map<string, number>();
  for (const n of nodes) for (const { ref } of n.inputs) readers.set(ref.base, (readers.get(ref.base) ?? 0) + 1);
  /** Read exactly once (by the node folding it), batched, and not the model's output. */
  const foldable = (n: IRNode | undefined): n is IRNode => n !== undefined && n.loop === null && n !== output && readers.get(n.node.name) === 1;
  const byRecurrent = new Map<string, RepeatFold>();
  const skipped = new Set<string>();
  for (const r of nodes) {
    if (r.node.op !== 'recurrent' || r.loop !== null) continue;
    const input = r.node.input;
    if (input.delayed || input.part !== 'output') continue;
    const concat = byName.get(input.base);
    if (!foldable(concat) || concat.node.op !== 'concat') continue;
    const parts = concat.node.inputs.map((ref): FoldedPart => {
      const source = byName.get(ref.base);
      if (!ref.delayed && ref.part === 'output' && foldable(source) && source.node.op === 'repeat') {
        return { kind: 'repeated', ref: source.node.input, repeat: source };
      }
      return { kind: 'sequence', ref };
    });
    if (!parts.some((p) => p.kind === 'repeated') || !parts.some((p) => p.kind === 'sequence')) continue;
    byRecurrent.set(r.node.name, { concat, written: concat.node.inputs, parts });
    skipped.add(concat.node.name);
    for (const p of parts) if (p.kind === 'repeated') skipped.add(p.repeat.node.name);
  }
  return { byRecurrent, skipped };
}
