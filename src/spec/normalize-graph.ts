/**
 * Graph nodes as written → typed nodes: defaults filled, references parsed, source ranges kept
 * (the node's mapping, its name, each key's value) so graph checks can point at the exact text.
 */
import { diagnostic } from '../diagnostics/factories.js';
import type { Diagnostic, SourceRange } from '../diagnostics/types.js';
import { NODE_DEFAULTS } from './defaults.js';
import type { RawNode } from './raw.js';
import { isDiagnostic, parseRef, parseSizeRef } from './refs.js';
import { escapePointer, locateKey, locateValue, type SourceMap } from './source-map.js';
import type { GraphNode, Ref } from './types.js';

export interface NodeContext { file: string; sourceMap: SourceMap; diagnostics: Diagnostic[] }

/** Parses the reference at `pointer`; on error records a diagnostic and returns a placeholder. */
export function refAt(ctx: NodeContext, raw: string, pointer: string): Ref {
  const range = locateValue(ctx.sourceMap, pointer);
  const parsed = parseRef(raw, { file: ctx.file, range, path: pointer });
  if (isDiagnostic(parsed)) {
    ctx.diagnostics.push(parsed);
    return { raw, base: raw, part: 'output', delayed: false, range };
  }
  return parsed;
}

function notApplicable(ctx: NodeContext, pointer: string, message: string, severity: 'error' | 'warning' = 'error'): void {
  ctx.diagnostics.push(diagnostic({
    code: 'N003', severity, file: ctx.file, range: locateKey(ctx.sourceMap, pointer), path: pointer, message,
    help: severity === 'error' ? 'remove it' : undefined,
  }));
}

export function normalizeNode(ctx: NodeContext, name: string, raw: RawNode): GraphNode {
  const base = `/graph/${escapePointer(name)}`;
  const at = (key: string): string => `${base}/${escapePointer(key)}`;
  const ref = (key: string, value: string): Ref => refAt(ctx, value, at(key));
  const keyRanges: Record<string, SourceRange> = {};
  for (const key of Object.keys(raw)) keyRanges[key] = locateValue(ctx.sourceMap, at(key));
  const common = {
    name,
    weights: raw.weights ?? name,
    range: locateValue(ctx.sourceMap, base),
    nameRange: locateKey(ctx.sourceMap, base),
    keyRanges,
  };
  switch (raw.op) {
    case 'embedding':
      return { ...common, op: 'embedding', input: ref('input', raw.input!), dim: raw.dim! };
    case 'recurrent': {
      const d = NODE_DEFAULTS.recurrent;
      const cell = raw.cell!;
      if (raw.nonlinearity !== undefined && cell !== 'rnn') {
        notApplicable(ctx, at('nonlinearity'), `\`nonlinearity\` applies to \`cell: rnn\` only; this node's cell is \`${cell}\``);
      }
      const layers = raw.layers ?? d.layers;
      const dropout = raw.dropout ?? d.dropout;
      if (dropout > 0 && layers === 1) {
        notApplicable(ctx, at('dropout'),
          '`dropout` acts between stacked layers, so with `layers: 1` it does nothing (as in PyTorch)', 'warning');
      }
      return {
        ...common, op: 'recurrent', cell, input: ref('input', raw.input!), hidden: raw.hidden!, layers, dropout,
        bidirectional: raw.bidirectional ?? d.bidirectional,
        init: raw.init === undefined ? null : ref('init', raw.init),
        nonlinearity: raw.nonlinearity ?? d.nonlinearity,
      };
    }
    case 'dense':
      return {
        ...common, op: 'dense', input: ref('input', raw.input!),
        units: parseSizeRef(raw.units!, locateValue(ctx.sourceMap, at('units'))),
        activation: raw.activation ?? NODE_DEFAULTS.dense.activation,
      };
    case 'concat':
      return { ...common, op: 'concat', inputs: raw.inputs!.map((r, i) => refAt(ctx, r, `${at('inputs')}/${i}`)) };
    case 'repeat':
      return { ...common, op: 'repeat', input: ref('input', raw.input!), like: ref('like', raw.like!) };
    case 'dropout':
      return { ...common, op: 'dropout', input: ref('input', raw.input!), rate: raw.rate! };
    case 'attention': {
      const kind = raw.kind ?? NODE_DEFAULTS.attention.kind;
      if (kind === 'dot' && raw.hidden !== undefined) {
        notApplicable(ctx, at('hidden'), '`hidden` sizes the additive scorer; `kind: dot` has none', 'warning');
      }
      const keys = ref('keys', raw.keys!);
      return {
        ...common, op: 'attention', kind, query: ref('query', raw.query!), keys,
        values: raw.values === undefined ? { ...keys } : ref('values', raw.values),
        mask: raw.mask === undefined ? null : ref('mask', raw.mask),
        hidden: raw.hidden ?? null,
      };
    }
  }
}
