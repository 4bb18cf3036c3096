/** Small lookups shared by the schema-error mapper: schema by schemaPath, data by pointer, labels. */
import type { SourceRange } from '../diagnostics/types.js';
import { seqloomSchema } from './schema-validator.generated.js';
import { pointerSegments } from './source-map.js';

export interface SchemaNode {
  description?: string;
  properties?: Record<string, SchemaNode>;
  $ref?: string;
  [keyword: string]: unknown;
}

/** The schema at a `#/…` JSON pointer into schema/seqloom.schema.json. */
export function schemaAt(ref: string): SchemaNode | undefined {
  let node: unknown = seqloomSchema;
  for (const seg of pointerSegments(ref.replace(/^#/, ''))) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node && typeof node === 'object' ? (node as SchemaNode) : undefined;
}

/** A schema with its `$ref`s followed (`refs` lists them, outermost first), sibling keywords kept. */
function deref(schema: SchemaNode | undefined, refs: string[] = []): { schema: SchemaNode | undefined; refs: string[] } {
  let s = schema;
  for (let hops = 0; s?.$ref && hops < 8; hops++) {
    refs.push(s.$ref);
    const { $ref: _ignored, ...siblings } = s;
    s = { ...schemaAt(s.$ref), ...siblings, description: siblings.description ?? schemaAt(s.$ref)?.description };
  }
  return { schema: s, refs };
}

/** The `then` branch that applies to an object (graph nodes: chosen by `op`). */
function branchFor(schema: SchemaNode, value: unknown): SchemaNode {
  const allOf = schema.allOf as { if?: SchemaNode; then?: SchemaNode }[] | undefined;
  if (!allOf || value === null || typeof value !== 'object') return schema;
  for (const clause of allOf) {
    const want = (clause.if?.properties?.op as SchemaNode | undefined)?.const;
    if (want !== undefined && (value as Record<string, unknown>).op === want && clause.then) {
      return deref(clause.then).schema ?? schema;
    }
  }
  return schema;
}

/**
 * The schema that governs the value at a data pointer, found by walking the schema alongside the
 * data (ajv's own schemaPath is relative to the innermost `$ref`, so it cannot be used for this).
 * `refs` names the `$defs` the last step went through (e.g. `#/$defs/sizeRef`).
 */
export function schemaForPointer(pointer: string, data: unknown): { schema: SchemaNode | undefined; refs: string[] } {
  let current = deref(seqloomSchema as SchemaNode);
  let value = data;
  for (const seg of pointerSegments(pointer)) {
    const s = current.schema ? branchFor(current.schema, value) : undefined;
    if (!s) return { schema: undefined, refs: [] };
    let next: SchemaNode | undefined;
    if (Array.isArray(value)) next = s.items as SchemaNode | undefined;
    else next = s.properties?.[seg] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties as SchemaNode : undefined);
    current = deref(next);
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg] : undefined;
  }
  return { schema: current.schema ? branchFor(current.schema, value) : undefined, refs: current.refs };
}

export function valueAt(data: unknown, pointer: string): unknown {
  let node = data;
  for (const seg of pointerSegments(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[seg];
  }
  return node;
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'no value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return `a ${typeof value}`;
}

/** `a string \`"32"\`` — the kind of value and how it is written in the file (shortened). */
export function describeValue(value: unknown, text: string, range: SourceRange): string {
  const kind = kindOf(value);
  if (value === null || value === undefined) return kind;
  const written = text.slice(range.start, range.end).split(/\r?\n/)[0]!.trim();
  const collection = kind === 'a list' || kind === 'a mapping';
  if (!written || written.length > 40 || (collection && !/^[[{]/.test(written))) return kind;
  return `${kind} \`${written}\``;
}

/** `recurrent node \`encoder\`` (or `node \`x\`` when its op is not known). */
export function nodeLabel(data: unknown, name: string): string {
  const op = valueAt(data, `/graph/${name.replace(/~/g, '~0').replace(/\//g, '~1')}/op`);
  const ops = ['embedding', 'recurrent', 'dense', 'concat', 'repeat', 'dropout', 'attention'];
  return typeof op === 'string' && ops.includes(op) ? `${op} node \`${name}\`` : `node \`${name}\``;
}

/** A spec location for messages: a node label for `/graph/<name>`, else the dotted path. */
export function pathLabel(data: unknown, pointer: string): string {
  const segs = pointerSegments(pointer);
  if (segs.length === 2 && segs[0] === 'graph') return nodeLabel(data, segs[1]!);
  return `\`${segs.join('.')}\``;
}
