/**
 * Named constructors for the graph's diagnostics (codes G001–G029 in src/diagnostics/codes.ts).
 * Every one points at the YAML text that must change and, where there is one, adds a note at the
 * other side of the mismatch (the encoder a decoder's `init` reads, the first of two names…).
 */
import { diagnostic, didYouMean, listOf, type Site } from '../diagnostics/factories.js';
import type { Diagnostic, RelatedNote, SourceRange } from '../diagnostics/types.js';
import type { StateShape, Width } from './types.js';

/** Any shape worth describing: a final `ValueShape`, or one whose time axis is still pending. */
export type DescribableShape =
  | { kind: 'ids'; time: string }
  | { kind: 'sequence'; time: string; width: Width }
  | { kind: 'vector'; width: Width }
  | { kind: 'state'; state: StateShape };

const note = (message: string, range?: SourceRange): RelatedNote => (range ? { message, range } : { message });

/** `[B, T_src, 32]`, `[B, 32]`, `{h} [2, B, 32]`: how shapes read in messages and diagrams. */
export function describeShape(shape: DescribableShape): string {
  switch (shape.kind) {
    case 'ids': return `[B, ${shape.time}] token ids`;
    case 'sequence': return `[B, ${shape.time}, ${shape.width}]`;
    case 'vector': return `[B, ${shape.width}]`;
    case 'state': return describeState(shape.state);
  }
}

export function describeState(s: StateShape): string {
  const parts = s.cell === 'lstm' ? '{h, c}' : '{h}';
  return `${s.cell} ${parts} [${s.layers * s.dirs}, B, ${s.hidden}]`;
}

export function unknownReference(site: Site, raw: string, base: string, suggestion: string | undefined, names: string[]): Diagnostic {
  return diagnostic({
    ...site, code: 'G001', message: `\`${raw}\` refers to \`${base}\`, which is neither a node nor a stream of this task`,
    ...(suggestion !== undefined ? { suggestion: raw.replace(base, suggestion) } : {}),
    help: didYouMean(suggestion, `known names: ${listOf(names)}`),
  });
}

export function duplicateNode(site: Site, name: string, first: SourceRange | undefined, isStream: boolean): Diagnostic {
  return diagnostic({
    ...site, code: 'G002',
    message: isStream ? `node \`${name}\` has the name of a stream` : `node \`${name}\` is defined twice`,
    notes: first ? [note(`\`${name}\` first defined here`, first)] : [],
    help: 'rename one of them; references must name exactly one value',
  });
}

export function streamNotInTask(site: Site, stream: string, task: string, streams: readonly string[]): Diagnostic {
  return diagnostic({
    ...site, code: 'G003', message: `a ${task} task has no stream \`${stream}\``,
    help: `this task's streams: ${listOf(streams)}`,
  });
}

export function cycleWithoutDelay(site: Site, from: string, to: string, path: string[], others: RelatedNote[]): Diagnostic {
  return diagnostic({
    ...site, code: 'G004',
    message: `\`${from}\` reads \`${to}\`, which depends on \`${from}\`: a cycle ${path.join(' → ')} with no \`.prev\``,
    notes: others,
    help: `read the previous step's value instead: \`${to}.prev\``,
    suggestion: `${to}.prev`,
  });
}

export function delayOutsideLoop(site: Site, raw: string, consumer: string, target: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G005',
    message: `\`${raw}\` is a delay, but nothing leads from \`${consumer}\` back to \`${target}\`: \`.prev\` may only close a loop`,
    suggestion: target, help: `read the current value: \`${target}\``,
  });
}

export function invalidDelay(site: Site, raw: string, why: string, help?: string): Diagnostic {
  return diagnostic({ ...site, code: 'G006', message: `\`${raw}\`: ${why}`, ...(help ? { help } : {}) });
}

export function notRecurrent(site: Site, raw: string, base: string, what: string, opSite?: SourceRange): Diagnostic {
  return diagnostic({
    ...site, code: 'G007', message: `\`${raw}\`: \`${base}\` is ${what}; only recurrent nodes have a state`,
    notes: opSite ? [note(`\`${base}\` is defined here`, opSite)] : [],
  });
}

export function stateOutsideInit(site: Site, raw: string, shape: DescribableShape): Diagnostic {
  return diagnostic({
    ...site, code: 'G008',
    message: `\`${raw}\` is a whole recurrent state (${describeShape(shape)}); only \`init\` takes one`,
    suggestion: `${raw}.top`, help: `use the top layer's hidden state: \`${raw}.top\``,
  });
}

export function initNotState(site: Site, raw: string, shape: DescribableShape): Diagnostic {
  const base = raw.split('.')[0] ?? raw;
  return diagnostic({
    ...site, code: 'G009', message: `\`init\` must be a recurrent state like \`${base}.state\`; \`${raw}\` is ${describeShape(shape)}`,
    help: 'write `init: <encoder>.state` to start from the encoder\'s final state, or drop `init` for zeros',
  });
}

/** `init` state mismatch (G010 cell, G011 layers, G012 hidden, G013 directions). */
export function initMismatch(
  code: 'G010' | 'G011' | 'G012' | 'G013', site: Site, node: string, source: string,
  mine: StateShape, theirs: StateShape, other: SourceRange,
): Diagnostic {
  const what = {
    G010: [`cell ${mine.cell} with state ${mine.cell === 'lstm' ? '{h, c}' : '{h}'}`, `cell ${theirs.cell} with state ${theirs.cell === 'lstm' ? '{h, c}' : '{h}'}`, 'cell'],
    G011: [`${mine.layers} layer(s)`, `${theirs.layers} layer(s)`, 'layers'],
    G012: [`hidden size ${mine.hidden}`, `hidden size ${theirs.hidden}`, 'hidden'],
    G013: [mine.dirs === 2 ? 'bidirectional' : 'unidirectional', theirs.dirs === 2 ? 'bidirectional' : 'unidirectional', 'bidirectional'],
  }[code];
  return diagnostic({
    ...site, code,
    message: `\`${node}\` (${what[0]}) cannot start from \`${source}.state\` (${what[1]})`,
    notes: [note(`\`${source}\` ${code === 'G013' ? 'is' : 'has'} ${what[1]} here`, other)],
    help: `make \`${what[2]}\` agree in both nodes, or drop \`init\``,
  });
}

export function concatRankMismatch(site: Site, raw: string, shape: DescribableShape, seqRaw: string, seqSite: SourceRange): Diagnostic {
  return diagnostic({
    ...site, code: 'G014',
    message: `concat mixes a vector and a sequence: \`${raw}\` is ${describeShape(shape)}`,
    notes: [note(`\`${seqRaw}\` is a sequence`, seqSite)],
    help: `repeat it over time first: \`{ op: repeat, input: ${raw}, like: ${seqRaw} }\``,
  });
}

export function timeMismatch(site: Site, what: string, raw: string, time: string, otherRaw: string, otherTime: string, other: SourceRange): Diagnostic {
  return diagnostic({
    ...site, code: 'G015', message: `${what}: \`${raw}\` runs over ${time} but \`${otherRaw}\` over ${otherTime}`,
    notes: [note(`\`${otherRaw}\` runs over ${otherTime}`, other)],
  });
}

export function widthUnknown(site: Site, what: string, help?: string): Diagnostic {
  return diagnostic({ ...site, code: 'G016', message: what, ...(help ? { help } : {}) });
}

export function embeddingInputNotStream(site: Site, raw: string, shape: DescribableShape, streams: readonly string[]): Diagnostic {
  return diagnostic({
    ...site, code: 'G017', message: `an embedding looks up token ids, but \`${raw}\` is ${describeShape(shape)}`,
    help: `embed a stream: ${listOf(streams)}`,
  });
}

export function idsNeedEmbedding(site: Site, raw: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G018', message: `\`${raw}\` is a stream of token ids, not features`,
    help: `embed it first: \`{ op: embedding, input: ${raw}, dim: 32 }\` and use that node here`,
  });
}

export function expectedSequence(site: Site, role: string, raw: string, shape: DescribableShape, help?: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G019', message: `${role} must be a sequence, but \`${raw}\` is ${describeShape(shape)}`,
    ...(help ? { help } : {}),
  });
}

export function repeatOfSequence(site: Site, raw: string, shape: DescribableShape): Diagnostic {
  return diagnostic({
    ...site, code: 'G020', message: `\`${raw}\` is already a sequence (${describeShape(shape)}); repeat takes a vector`,
    help: 'use the sequence directly, or repeat a vector such as `<encoder>.state.top`',
  });
}

export function attentionWidthMismatch(site: Site, raw: string, width: string, keysRaw: string, keyWidth: string, keys: SourceRange): Diagnostic {
  return diagnostic({
    ...site, code: 'G021',
    message: `dot attention needs query and keys of one width: \`${raw}\` has ${width}, \`${keysRaw}\` has ${keyWidth}`,
    notes: [note(`keys \`${keysRaw}\` have width ${keyWidth}`, keys)],
    help: 'use `kind: additive`, or make the widths agree',
  });
}

export function keysValuesMismatch(site: Site, raw: string, time: string, keysRaw: string, keyTime: string, keys: SourceRange): Diagnostic {
  return diagnostic({
    ...site, code: 'G022', message: `attention values \`${raw}\` run over ${time} but keys \`${keysRaw}\` over ${keyTime}`,
    notes: [note(`keys \`${keysRaw}\``, keys)],
  });
}

export function invalidMask(site: Site, why: string, help?: string, other?: RelatedNote): Diagnostic {
  return diagnostic({ ...site, code: 'G023', message: why, notes: other ? [other] : [], ...(help ? { help } : {}) });
}

export function outputNotNode(site: Site, raw: string, why: string): Diagnostic {
  return diagnostic({ ...site, code: 'G024', message: `\`output: ${raw}\`: ${why}`, help: 'name the dense node that computes the logits' });
}

export function outputNotVocab(site: Site, node: string, why: string, vocab: string, other?: RelatedNote): Diagnostic {
  return diagnostic({
    ...site, code: 'G025', message: `the output \`${node}\` ${why}; the loss needs logits over \`${vocab}\``,
    notes: other ? [other] : [], help: `compute it with \`{ op: dense, input: …, units: ${vocab} }\``,
  });
}

export function outputTimeAxis(site: Site, node: string, time: string, expected: string, other?: RelatedNote): Diagnostic {
  return diagnostic({
    ...site, code: 'G026', message: `the output \`${node}\` runs over ${time}, but the loss is over ${expected}`,
    notes: other ? [other] : [],
  });
}

export function bidirectionalDecoder(site: Site, node: string, stream: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G027',
    message: `\`${node}\` depends on \`${stream}\` and is bidirectional, but decoding runs one step at a time`,
    suggestion: 'false', help: 'set `bidirectional: false` (only encoders may read ahead)',
  });
}

export function noStream(site: Site, node: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G028', message: `no stream reaches \`${node}\`, so its time axis is unknown`,
    help: 'a loop must also read a stream, e.g. through an embedding of the target or the tokens',
  });
}

export function unusedNode(site: Site, node: string, output: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G029', severity: 'warning', message: `\`${node}\` does not contribute to the output \`${output}\``,
    help: 'remove it, or use it',
  });
}

export function decodeSideOverSource(site: Site, node: string, raw: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G030',
    message: `\`${node}\` depends on \`target\` but runs over T_src (through \`${raw}\`); decoding produces one target step at a time`,
    help: 'read source-side sequences through attention (`keys`/`values`), or summarize them (`<encoder>.state.top`)',
  });
}

export function initFromDecodeSide(site: Site, node: string, raw: string, stream: string): Diagnostic {
  return diagnostic({
    ...site, code: 'G031',
    message: `\`${node}\` starts from \`${raw}\`, a final state that depends on \`${stream}\`; decoding step by step never has it`,
    help: 'start from an encoder\'s state (`init: <encoder>.state`), or drop `init` for zeros',
  });
}
