/**
 * Reference syntax: `x` (sequence output), `x.state` (final state, all layers), `x.state.top`
 * (top layer's h), `x.prev` (previous time step), the streams `source` / `target` / `tokens`, and
 * sizes `<stream>.vocab`. Only the text is checked here; whether `x` exists, and whether a stream
 * belongs to the task, is the graph's business (src/graph/).
 */
import { diagnostic, didYouMean } from '../diagnostics/factories.js';
import { closestMatch } from '../diagnostics/suggest.js';
import type { Diagnostic, SourceRange } from '../diagnostics/types.js';
import type { Ref, SizeRef, StreamName } from './types.js';

export const STREAMS: readonly StreamName[] = ['source', 'target', 'tokens'];
const SUFFIXES = ['state', 'state.top', 'prev'] as const;
const NAME = /^[a-z_][a-z0-9_]*$/;

export function isStreamName(name: string): name is StreamName {
  return (STREAMS as readonly string[]).includes(name);
}

export interface RefSite { file: string; range: SourceRange; path: string }

function malformed(site: RefSite, message: string, suggestion?: string, help?: string): Diagnostic {
  return diagnostic({ ...site, code: 'R001', message, suggestion, help: help ?? didYouMean(suggestion) });
}

/** Parses a node/stream reference, or explains what is wrong with it. */
export function parseRef(raw: string, site: RefSite): Ref | Diagnostic {
  const text = raw.trim();
  if (text === '') return malformed(site, 'empty reference', undefined, 'name a node, e.g. `encoder`, or a stream (`source`, `target`, `tokens`)');
  const dot = text.indexOf('.');
  const base = dot < 0 ? text : text.slice(0, dot);
  const suffix = dot < 0 ? '' : text.slice(dot + 1);
  if (!NAME.test(base)) {
    const fixed = base.toLowerCase().replace(/[^a-z0-9_]/g, '_');
    return malformed(site, `\`${text}\` is not a valid reference: \`${base}\` is not a node name`,
      NAME.test(fixed) && fixed !== base ? `${fixed}${dot < 0 ? '' : `.${suffix}`}` : undefined);
  }
  if (isStreamName(base) && suffix !== '') {
    if (suffix === 'vocab') {
      return malformed(site, `\`${text}\` is a size, not a tensor; sizes go in \`units\``, base, `to use the ${base} token ids, write \`${base}\``);
    }
    return malformed(site, `a stream has no \`.${suffix}\`: \`${base}\` is the token ids themselves`, base);
  }
  const ref = (part: Ref['part'], delayed: boolean): Ref => ({ raw: text, base, part, delayed, range: site.range });
  switch (suffix) {
    case '': return ref('output', false);
    case 'state': return ref('state', false);
    case 'state.top': return ref('state.top', false);
    case 'prev': return ref('output', true);
    default: {
      const near = closestMatch(suffix, SUFFIXES);
      return malformed(site, `unknown reference suffix \`.${suffix}\` in \`${text}\``, near ? `${base}.${near}` : undefined,
        near ? undefined : 'a reference is `x`, `x.state`, `x.state.top` or `x.prev`');
    }
  }
}

/** `units`: a number, or `<stream>.vocab` (the schema has already checked the form). */
export function parseSizeRef(value: number | string, range: SourceRange): SizeRef {
  if (typeof value === 'number') return value;
  return { vocab: value.slice(0, value.indexOf('.')) as StreamName, raw: value, range };
}

export function isDiagnostic(x: unknown): x is Diagnostic {
  return typeof x === 'object' && x !== null && 'code' in x && 'severity' in x;
}
