/**
 * Stage 1: text → YAML document + plain data + source map. YAML problems (bad indentation, unclosed
 * brackets, duplicate keys, recursive aliases) become located diagnostics; a byte-order mark,
 * comments, anchors/aliases and merge keys (`<<`) work. Never throws on bad input.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import {
  duplicateKey, emptySpec, failure, hasErrors, rootNotMapping, yamlSyntax, yamlWarning,
} from '../diagnostics/factories.js';
import { stripBom } from '../diagnostics/render.js';
import type { Diagnostic, Result, SourceRange } from '../diagnostics/types.js';
import { buildSourceMap, isMergeKey, keyString, rangeOf, resolve, type SourceMap } from './source-map.js';

export interface ParsedYaml {
  file: string;
  /** The text parsed: the input without a leading byte-order mark (diagnostic offsets index it). */
  text: string;
  doc: Document;
  /** The plain data (aliases and merge keys applied), what the schema validates. */
  data: Record<string, unknown>;
  sourceMap: SourceMap;
}

/** Readable wording for yaml's messages, keyed by its error code. */
const YAML_MESSAGES: Record<string, string> = {
  BAD_INDENT: 'bad indentation',
  MISSING_CHAR: 'unclosed bracket or quote',
  MULTIPLE_DOCS: 'a spec is one YAML document; found a second one (`---`)',
  TAB_AS_INDENT: 'tabs cannot indent YAML; use spaces',
  BAD_ALIAS: 'bad alias',
  BAD_DIRECTIVE: 'bad directive',
  BLOCK_AS_IMPLICIT_KEY: 'a nested mapping cannot follow a key on the same line',
  MULTILINE_IMPLICIT_KEY: 'a key cannot span lines',
  UNEXPECTED_TOKEN: 'unexpected token',
};

function clamp(text: string, start: number, end: number): SourceRange {
  const s = Math.max(0, Math.min(start, text.length));
  return { start: s, end: Math.max(s, Math.min(end, text.length)) };
}

/** For a duplicate key at `offset`: the key, its range, and where it first appeared in the same mapping. */
function firstOccurrence(doc: Document, offset: number): { key: string; range: SourceRange; first?: SourceRange } | null {
  let found: { key: string; range: SourceRange; first?: SourceRange } | null = null;
  const visit = (node: unknown): void => {
    if (found) return;
    if (isMap(node)) {
      const seen = new Map<string, SourceRange | undefined>();
      for (const pair of node.items) {
        const key = keyString(pair.key);
        const range = rangeOf(pair.key as Node) ?? undefined;
        if (range && range.start === offset) {
          found = { key, range, first: seen.get(key) };
          return;
        }
        if (!seen.has(key)) seen.set(key, range);
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return found;
}

function yamlDiagnostics(doc: Document, text: string, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const e of doc.errors) {
    const range = clamp(text, e.pos[0], e.pos[1]);
    const site = { file, range, path: '' };
    if (e.code === 'DUPLICATE_KEY') {
      const dup = firstOccurrence(doc, e.pos[0]);
      out.push(duplicateKey({ ...site, range: dup?.range ?? range }, dup?.key ?? text.slice(range.start, range.end), dup?.first));
      continue;
    }
    const opener = /^Flow (map|sequence)/.test(e.message) ? unclosedFlowOpener(text, e.pos[0]) : null;
    if (opener !== null) {
      const bracket = text[opener]!;
      out.push(yamlSyntax({ file, range: { start: opener, end: opener + 1 }, path: '' },
        `this \`${bracket}\` is never closed: add \`${bracket === '{' ? '}' : ']'}\` where the ${bracket === '{' ? 'mapping' : 'list'} ends`, e.code));
      continue;
    }
    const lead = YAML_MESSAGES[e.code];
    const detail = e.message.replace(/\s*at line \d+, column \d+:?[\s\S]*$/, '');
    out.push(yamlSyntax(site, lead ? `${lead}: ${detail}` : detail, e.code));
  }
  const seen = new Set<string>();
  const unique = out.filter((d) => {
    const id = `${d.code}|${d.range.start}|${d.range.end}|${d.message}`;
    return seen.has(id) ? false : (seen.add(id), true);
  });
  out.length = 0;
  out.push(...unique);
  for (const w of doc.warnings) {
    const range = clamp(text, w.pos[0], w.pos[1]);
    const message = w.code === 'TAG_RESOLVE_FAILED'
      ? `unknown tag \`${text.slice(range.start, range.end).trim()}\`; the value is read as plain text`
      : w.message;
    out.push(yamlWarning({ file, range, path: '' }, message));
  }
  return out;
}

/**
 * The offset of the innermost `{` or `[` still open at `offset` (yaml reports an unclosed flow
 * collection where it gave up, usually the next line; the fix belongs where it opened).
 * Quoted strings and comments are skipped.
 */
export function unclosedFlowOpener(text: string, offset: number): number | null {
  const open: number[] = [];
  let quote: string | null = null;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    const ch = text[i]!;
    if (quote !== null) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if ((ch === '"' || ch === "'") && (i === 0 || /[\s,[{:]/.test(text[i - 1]!))) {
      quote = ch;
    } else if (ch === '{' || ch === '[') {
      open.push(i);
    } else if ((ch === '}' || ch === ']') && open.length > 0 && text[open[open.length - 1]!] === (ch === '}' ? '{' : '[')) {
      open.pop(); // a mismatched closer closes nothing (yaml reports it where the opener is)
    }
  }
  return open.length > 0 ? open[open.length - 1]! : null;
}

/** Keys must be plain scalars, and aliases must not contain themselves (the data would be infinite). */
function structuralProblems(doc: Document, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const onPath = new Set<Node>();
  const done = new Set<Node>(); // each collection is checked once, however many aliases reach it
  const visit = (node: Node | null): void => {
    const target = resolve(doc, node);
    if (node && isAlias(node) && !target) {
      out.push(yamlSyntax({ file, range: rangeOf(node) ?? { start: 0, end: 0 }, path: '' },
        `unknown alias \`*${node.source}\`: no anchor \`&${node.source}\` is defined before it`, 'BAD_ALIAS'));
      return;
    }
    if (node && isAlias(node) && target && onPath.has(target)) {
      out.push(yamlSyntax({ file, range: rangeOf(node) ?? { start: 0, end: 0 }, path: '' },
        `alias \`*${node.source}\` refers to a mapping or list that contains it`, 'RECURSIVE_ALIAS'));
      return;
    }
    if (!target || onPath.has(target) || done.has(target) || out.length > 20) return;
    onPath.add(target);
    if (isMap(target)) {
      for (const pair of target.items) {
        if (!isPair(pair)) continue;
        if (isMergeKey(pair.key)) {
          const value = resolve(doc, pair.value as Node | null);
          const raw = (isSeq(value) ? value.items : [pair.value]) as (Node | null)[];
          const dangling = raw.some((n) => isAlias(n) && !resolve(doc, n)); // reported as BAD_ALIAS below
          if (!dangling && !raw.every((n) => isMap(resolve(doc, n)))) {
            out.push(yamlSyntax({ file, range: rangeOf(pair.value as Node) ?? rangeOf(pair.key as Node)!, path: '' },
              'a merge key `<<` takes a mapping alias (`<<: *defaults`) or a list of them', 'BAD_MERGE'));
          }
        } else if (pair.key !== null && !isScalar(pair.key)) {
          out.push(yamlSyntax({ file, range: rangeOf(pair.key as Node) ?? { start: 0, end: 0 }, path: '' },
            'keys must be plain words, not lists or mappings', 'COMPLEX_KEY'));
        }
        visit(pair.value as Node | null);
      }
    } else if (isSeq(target)) {
      for (const item of target.items) visit(item as Node);
    }
    onPath.delete(target);
    done.add(target);
  };
  visit(doc.contents as Node | null);
  return out;
}

function describeRoot(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'an empty value' : `the value \`${String(node.value)}\``;
  return 'something else';
}

export function parseSpecYaml(input: string, file: string): Result<ParsedYaml> {
  const text = stripBom(input);
  const doc = parseDocument(text, { merge: true, prettyErrors: false, uniqueKeys: true });
  const diagnostics = yamlDiagnostics(doc, text, file);
  if (hasErrors(diagnostics)) return failure(diagnostics);

  const root = doc.contents as Node | null;
  const blank = isScalar(root) && root.value === null && (root.range ? text.slice(root.range[0], root.range[1]).trim() === '' : true);
  if (root === null || blank) {
    return failure([...diagnostics, emptySpec(file)]);
  }
  if (!isMap(root)) {
    return failure([...diagnostics, rootNotMapping({ file, range: rangeOf(root) ?? { start: 0, end: 0 }, path: '' }, describeRoot(root))]);
  }
  const structural = structuralProblems(doc, file);
  if (structural.length > 0) return failure([...diagnostics, ...structural]);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    const message = err instanceof RangeError ? 'it nests too deeply' : err instanceof Error ? err.message : String(err);
    return failure([...diagnostics, yamlSyntax({ file, range: rangeOf(root) ?? { start: 0, end: 0 }, path: '' },
      `cannot read the YAML data: ${message}`, 'TO_JS')]);
  }
  return {
    value: { file, text, doc, data: data as Record<string, unknown>, sourceMap: buildSourceMap(doc) },
    diagnostics,
  };
}
