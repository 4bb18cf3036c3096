/**
 * Name-level resolution: every reference (`x`, `x.state`, `x.state.top`, `x.prev`, a stream, a
 * `<stream>.vocab` size) points at exactly one node or one of the task's streams. Shapes come later
 * (./infer.ts); here only names, parts and streams are checked.
 */
import { closestMatch } from '../diagnostics/suggest.js';
import type { Site } from '../diagnostics/factories.js';
import type { Diagnostic, SourceRange } from '../diagnostics/types.js';
import { TASK_STREAMS, type GraphNode, type Ref, type Spec, type StreamName } from '../spec/types.js';
import {
  duplicateNode, invalidDelay, notRecurrent, outputNotNode, streamNotInTask, unknownReference,
} from './diagnostics.js';
import type { RefTarget } from './types.js';

const ALL_STREAMS: readonly StreamName[] = ['source', 'target', 'tokens'];

export interface RefUse { role: string; ref: Ref }
export interface ResolvedRef extends RefUse {
  target: RefTarget;
  part: Ref['part'];
  delayed: boolean;
}

/** The references an op reads, with the key each came from (`inputs.1` for the second concat input). */
export function nodeRefs(node: GraphNode): RefUse[] {
  switch (node.op) {
    case 'embedding': case 'dense': case 'dropout': return [{ role: 'input', ref: node.input }];
    case 'recurrent': return [{ role: 'input', ref: node.input }, ...(node.init ? [{ role: 'init', ref: node.init }] : [])];
    case 'concat': return node.inputs.map((ref, i) => ({ role: `inputs.${i}`, ref }));
    case 'repeat': return [{ role: 'input', ref: node.input }, { role: 'like', ref: node.like }];
    case 'attention':
      return [
        { role: 'query', ref: node.query }, { role: 'keys', ref: node.keys }, { role: 'values', ref: node.values },
        ...(node.mask ? [{ role: 'mask', ref: node.mask }] : []),
      ];
  }
}

/** JSON pointer of a node's key: `/graph/dec_in/inputs/1`. */
export function keyPath(node: string, role: string): string {
  return `/graph/${node}/${role.split('.').join('/')}`;
}

/** The range of a node's key value, or the whole node when the key was defaulted. */
export function keyRange(node: GraphNode, key: string): SourceRange {
  return node.keyRanges[key] ?? node.range;
}

/** The range of a node's name (its key under `graph:`). */
export function nameRange(node: GraphNode): SourceRange {
  return node.nameRange;
}

export function siteOf(spec: Spec, range: SourceRange, path: string): Site {
  return { file: spec.file, range, path };
}

export interface Resolution {
  refs: Map<string, ResolvedRef[]>;
  byName: Map<string, GraphNode>;
  output: string | null;
  diagnostics: Diagnostic[];
}

export function resolveReferences(spec: Spec): Resolution {
  const diagnostics: Diagnostic[] = [];
  const streams = TASK_STREAMS[spec.task];
  const byName = new Map<string, GraphNode>();
  for (const node of spec.nodes) {
    const first = byName.get(node.name);
    const isStream = (ALL_STREAMS as readonly string[]).includes(node.name);
    if (first || isStream) {
      diagnostics.push(duplicateNode(siteOf(spec, nameRange(node), `/graph/${node.name}`), node.name, first && nameRange(first), isStream));
    } else {
      byName.set(node.name, node);
    }
  }
  const names = [...byName.keys(), ...streams];

  const resolveOne = (ref: Ref, path: string): RefTarget | null => {
    const site = siteOf(spec, ref.range, path);
    if ((ALL_STREAMS as readonly string[]).includes(ref.base)) {
      const stream = ref.base as StreamName;
      if (!streams.includes(stream)) {
        diagnostics.push(streamNotInTask(site, stream, spec.task, streams));
        return null;
      }
      if (ref.part !== 'output') {
        diagnostics.push(notRecurrent(site, ref.raw, stream, 'a stream of token ids'));
        return null;
      }
      if (ref.delayed) {
        diagnostics.push(invalidDelay(site, ref.raw, 'a stream has no previous step to read',
          `\`${stream}\` at every step is already an input; read \`${stream}\``));
        return null;
      }
      return { kind: 'stream', stream };
    }
    const node = byName.get(ref.base);
    if (!node) {
      diagnostics.push(unknownReference(site, ref.raw, ref.base, closestMatch(ref.base, names), names));
      return null;
    }
    if (ref.part !== 'output' && node.op !== 'recurrent') {
      diagnostics.push(notRecurrent(site, ref.raw, ref.base, `${article(node.op)} ${node.op}`, keyRange(node, 'op')));
      return null;
    }
    if (ref.delayed && ref.part === 'state') {
      diagnostics.push(invalidDelay(site, ref.raw, 'a delay reads one value per step, not a whole state',
        `read the previous step's top-layer output: \`${ref.base}.prev\``));
      return null;
    }
    return { kind: 'node', node: ref.base };
  };

  const refs = new Map<string, ResolvedRef[]>();
  for (const node of byName.values()) {
    const list: ResolvedRef[] = [];
    for (const use of nodeRefs(node)) {
      const target = resolveOne(use.ref, keyPath(node.name, use.role));
      if (target) list.push({ ...use, target, part: use.ref.part, delayed: use.ref.delayed });
    }
    if (node.op === 'dense' && typeof node.units !== 'number' && !streams.includes(node.units.vocab)) {
      diagnostics.push(streamNotInTask(siteOf(spec, node.units.range, keyPath(node.name, 'units')), node.units.vocab, spec.task, streams));
    }
    refs.set(node.name, list);
  }

  let output: string | null = null;
  const out = spec.output;
  const outSite = siteOf(spec, out.range, '/output');
  const target = resolveOne(out, '/output');
  if (target?.kind === 'stream') {
    diagnostics.push(outputNotNode(outSite, out.raw, 'a stream is an input, not the model\'s output'));
  } else if (target && (out.part !== 'output' || out.delayed)) {
    diagnostics.push(outputNotNode(outSite, out.raw, 'the output must be a node\'s value at the current step'));
  } else if (target) {
    output = target.node;
  }
  return { refs, byName, output, diagnostics };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
