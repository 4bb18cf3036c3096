/**
 * ajv errors → one located diagnostic per real problem. ajv reports with `allErrors` in schema
 * terms (instancePath, schemaPath, keyword); here each becomes a sentence about the spec, placed on
 * the offending key (unknown key, bad node name) or value (wrong type, bad enum, out of range),
 * with "did you mean" where a near miss exists. Noise is dropped: `if` failures (the `then`
 * branch reports the real error), `propertyNames` wrappers, branches under a failed `anyOf`.
 */
import { parseCheckpointEvery } from './checkpoint-every.js';
import type { DiagnosticCode } from '../diagnostics/codes.js';
import { diagnostic, didYouMean, listOf, unsupportedVersion } from '../diagnostics/factories.js';
import { closestMatch } from '../diagnostics/suggest.js';
import type { Diagnostic, SourceRange } from '../diagnostics/types.js';
import { describeValue, nodeLabel, pathLabel, schemaAt, schemaForPointer, valueAt } from './schema-paths.js';
import { locateKey, locateValue, pointerSegments, type SourceMap } from './source-map.js';

export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  propertyName?: string;
}

interface Context {
  file: string;
  text: string;
  data: unknown;
  sourceMap: SourceMap;
}

const STREAM_NAMES = ['source', 'target', 'tokens'];

function lastKey(pointer: string): string {
  const segs = pointerSegments(pointer);
  return segs[segs.length - 1] ?? '';
}

/** Where a key lives, for messages: `in recurrent node \`encoder\``, `in \`train.optimizer\``. */
function where(ctx: Context, pointer: string): string {
  const segs = pointerSegments(pointer);
  if (segs.length === 0) return 'at the top level';
  if (segs[0] === 'graph' && segs.length === 2) return `in ${nodeLabel(ctx.data, segs[1]!)}`;
  if (segs[0] === 'graph' && segs.length > 2) return `in ${nodeLabel(ctx.data, segs[1]!)} (\`${segs.slice(2).join('.')}\`)`;
  return `in \`${segs.join('.')}\``;
}

function make(ctx: Context, code: DiagnosticCode, range: SourceRange, path: string, message: string,
  extra: { help?: string; suggestion?: string; notes?: Diagnostic['notes'] } = {}): Diagnostic {
  return diagnostic({ code, file: ctx.file, range, path, message, ...extra });
}

/** A value as written in the file (`2`, `"1"`), for messages. */
function writtenValue(ctx: Context, pointer: string): string {
  const range = locateValue(ctx.sourceMap, pointer);
  const written = ctx.text.slice(range.start, range.end).trim();
  return written ? `\`${written}\`` : 'with no value';
}

function typeName(t: unknown): string {
  const names: Record<string, string> = {
    integer: 'an integer', number: 'a number', string: 'a string', boolean: 'true or false',
    object: 'a mapping', array: 'a list', null: 'null',
  };
  const types = Array.isArray(t) ? t : [t];
  return types.map((x) => names[String(x)] ?? String(x)).join(' or ');
}

function unknownKey(ctx: Context, e: AjvError): Diagnostic {
  const key = String(e.params.additionalProperty);
  const pointer = `${e.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const parent = schemaForPointer(e.instancePath, ctx.data).schema;
  const allowed = Object.keys(parent?.properties ?? {}).filter((k) => k !== 'op');
  const suggestion = closestMatch(key, allowed);
  const place = e.instancePath === '' ? 'unknown top-level key' : 'unknown key';
  return make(ctx, 'S001', locateKey(ctx.sourceMap, pointer), pointer,
    `${place} \`${key}\`${e.instancePath === '' ? '' : ` ${where(ctx, e.instancePath)}`}`,
    { suggestion, help: didYouMean(suggestion, allowed.length ? `allowed keys here: ${listOf(allowed, 'and')}` : undefined) });
}

function missingKey(ctx: Context, e: AjvError): Diagnostic {
  const key = String(e.params.missingProperty);
  const about = schemaForPointer(`${e.instancePath}/${key}`, ctx.data).schema?.description;
  const range = e.instancePath === ''
    ? { start: ctx.sourceMap.values.get('')?.start ?? 0, end: ctx.sourceMap.values.get('')?.start ?? 0 }
    : locateKey(ctx.sourceMap, e.instancePath);
  const subject = e.instancePath === '' ? 'the spec' : pathLabel(ctx.data, e.instancePath);
  return make(ctx, 'S002', range, `${e.instancePath}/${key}`, `${subject} is missing \`${key}\``,
    { help: about ? `\`${key}\`: ${about}` : `add \`${key}:\`` });
}

function wrongType(ctx: Context, e: AjvError): Diagnostic {
  const value = valueAt(ctx.data, e.instancePath);
  const label = e.instancePath === '' ? 'the spec' : `\`${lastKey(e.instancePath)}\``;
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return make(ctx, 'S005', locateValue(ctx.sourceMap, e.instancePath), e.instancePath,
      `${label} must be a finite number; got ${String(value)}`);
  }
  const got = value === null ? 'it has no value' : `got ${describeValue(value, ctx.text, locateValue(ctx.sourceMap, e.instancePath))}`;
  return make(ctx, 'S003', locateValue(ctx.sourceMap, e.instancePath), e.instancePath,
    `${label} must be ${typeName(e.params.type)}; ${got}`);
}

function badEnum(ctx: Context, e: AjvError): Diagnostic {
  const allowed = (e.params.allowedValues as unknown[]) ?? [];
  const value = valueAt(ctx.data, e.instancePath);
  const key = lastKey(e.instancePath);
  const segs = pointerSegments(e.instancePath);
  const isOp = segs.length === 3 && segs[0] === 'graph' && key === 'op';
  const suggestion = typeof value === 'string' ? closestMatch(value, allowed.map(String)) : undefined;
  const shown = typeof value === 'string' ? `\`${value}\`` : describeValue(value, ctx.text, locateValue(ctx.sourceMap, e.instancePath));
  const isItem = /^\d+$/.test(key);
  const message = isOp
    ? `unknown op ${shown} for node \`${segs[1]}\``
    : `${shown} is not a valid \`${isItem ? segs[segs.length - 2] : key}\`${isItem ? ' step' : ''} value`;
  return make(ctx, isOp ? 'S008' : 'S004', locateValue(ctx.sourceMap, e.instancePath), e.instancePath, message,
    { suggestion, help: didYouMean(suggestion, `expected ${listOf(allowed)}`) });
}

function outOfRange(ctx: Context, e: AjvError): Diagnostic {
  const value = valueAt(ctx.data, e.instancePath);
  const label = `\`${lastKey(e.instancePath) || 'value'}\``;
  const limit = e.params.limit;
  const bound: Record<string, string> = {
    minimum: `at least ${limit}`, maximum: `at most ${limit}`,
    exclusiveMinimum: `greater than ${limit}`, exclusiveMaximum: `less than ${limit}`,
  };
  let message: string;
  if (e.keyword in bound) message = `${label} must be ${bound[e.keyword]}; got ${String(value)}`;
  else if (e.keyword === 'minItems') message = `${label} needs at least ${limit} items; got ${(value as unknown[]).length}`;
  else if (e.keyword === 'minProperties') message = e.instancePath === '/graph' ? '`graph` has no nodes' : `${label} needs at least ${limit} keys`;
  else if (e.keyword === 'minLength') message = `${label} must not be empty`;
  else message = `${label} is out of range`;
  return make(ctx, 'S005', locateValue(ctx.sourceMap, e.instancePath), e.instancePath, message);
}

/** Node names (via propertyNames) and other patterns (`name`, `weights`). */
function badPattern(ctx: Context, e: AjvError): Diagnostic {
  if (e.propertyName !== undefined) {
    const name = e.propertyName;
    const pointer = `${e.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const fixed = name.toLowerCase().replace(/[^a-z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
    return make(ctx, 'S006', locateKey(ctx.sourceMap, pointer), pointer,
      `invalid node name \`${name}\`: use lowercase letters, digits and \`_\`, not starting with a digit`,
      { suggestion: fixed !== name ? fixed : undefined, help: fixed !== name ? `rename it, e.g. \`${fixed}\`` : undefined });
  }
  const value = valueAt(ctx.data, e.instancePath);
  const key = lastKey(e.instancePath);
  const range = locateValue(ctx.sourceMap, e.instancePath);
  if (e.instancePath === '/name') {
    const fixed = String(value).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '');
    return make(ctx, 'S006', range, e.instancePath,
      `invalid model name \`${String(value)}\`: use lowercase letters, digits and \`-\`, starting with a letter`,
      fixed && fixed !== value ? { suggestion: fixed, help: `e.g. \`${fixed}\`` } : {});
  }
  if (key === 'weights') {
    return make(ctx, 'S006', range, e.instancePath,
      `invalid \`weights\` prefix \`${String(value)}\`: use dot-separated identifiers, e.g. \`encoder.rnn\``);
  }
  return make(ctx, 'S006', range, e.instancePath, `\`${String(value)}\` is not a valid \`${key}\``);
}

function reservedName(ctx: Context, e: AjvError): Diagnostic {
  const name = String(e.propertyName);
  const pointer = `${e.instancePath}/${name}`;
  const why = STREAM_NAMES.includes(name)
    ? `\`${name}\` is a stream name and cannot name a node`
    : `\`${name}\` is a reserved word in the generated TypeScript and cannot name a node`;
  return make(ctx, 'S007', locateKey(ctx.sourceMap, pointer), pointer, why,
    { suggestion: `${name}_node`, help: `rename it, e.g. \`${name}_node\`` });
}

function duplicateItem(ctx: Context, e: AjvError): Diagnostic {
  const [i, j] = [Number(e.params.i), Number(e.params.j)].sort((a, b) => a - b);
  const list = valueAt(ctx.data, e.instancePath) as unknown[];
  const later = `${e.instancePath}/${j}`;
  return make(ctx, 'S009', locateValue(ctx.sourceMap, later), later,
    `\`${String(list[j!])}\` appears twice in \`${lastKey(e.instancePath)}\``,
    { notes: [{ message: 'first listed here', range: locateValue(ctx.sourceMap, `${e.instancePath}/${i}`) }], help: 'remove the repeat' });
}

/** A failed `anyOf` (sizes: an integer or `<stream>.vocab`): one diagnostic from what the value is. */
function noBranch(ctx: Context, e: AjvError): Diagnostic {
  const value = valueAt(ctx.data, e.instancePath);
  const { schema, refs } = schemaForPointer(e.instancePath, ctx.data);
  const named = refs.length > 0 ? schemaAt(refs[refs.length - 1]!) : schema;
  const expected = named?.description ?? 'a valid value';
  const label = `\`${lastKey(e.instancePath)}\``;
  const range = locateValue(ctx.sourceMap, e.instancePath);
  if (lastKey(e.instancePath) === 'checkpoint_every') {
    const parsed = typeof value === 'string' ? parseCheckpointEvery(value) : { error: 'write a string such as `500 steps` or `10 min`' };
    return make(ctx, 'S006', range, e.instancePath, `${describeValue(value, ctx.text, range)} is not a valid \`checkpoint_every\``,
      { help: 'error' in parsed ? parsed.error : undefined });
  }
  if (refs.includes('#/$defs/sizeRef')) {
    if (typeof value === 'number' && Number.isInteger(value)) {
      return make(ctx, 'S005', range, e.instancePath, `${label} must be at least 1; got ${value}`);
    }
    if (typeof value === 'string') {
      const choices = STREAM_NAMES.map((s) => `${s}.vocab`);
      const suggestion = closestMatch(value, choices);
      return make(ctx, 'S004', range, e.instancePath, `\`${value}\` is not a valid size for ${label}`,
        { suggestion, help: didYouMean(suggestion, `expected ${expected}`) });
    }
  }
  return make(ctx, 'S003', range, e.instancePath,
    `${label} must be ${expected}; got ${describeValue(value, ctx.text, range)}`);
}

/** Lower = more specific: at one spot, only the most specific problem is reported. */
const PRIORITY: Record<string, number> = {
  type: 0, const: 1, enum: 1, anyOf: 2, pattern: 3, minimum: 4, maximum: 4, exclusiveMinimum: 4,
  exclusiveMaximum: 4, minLength: 4, minItems: 4, minProperties: 4, uniqueItems: 5,
};

export function schemaDiagnostics(errors: readonly AjvError[], ctx: Context): Diagnostic[] {
  const failedBranches = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  const relevant = errors.filter((e) =>
    e.keyword !== 'if' && e.keyword !== 'propertyNames' && !failedBranches.some((p) => e.schemaPath.startsWith(p)));

  // One value error per spot; key errors (unknown, missing, bad name) are each their own.
  const bestValueError = new Map<string, AjvError>();
  const out: Diagnostic[] = [];
  const keyErrors = new Set<string>();
  for (const e of relevant) {
    const keyed = e.keyword === 'additionalProperties' || e.keyword === 'required' || e.propertyName !== undefined;
    if (keyed) {
      const id = `${e.keyword}|${e.instancePath}|${String(e.params.additionalProperty ?? e.params.missingProperty ?? e.propertyName)}`;
      if (keyErrors.has(id)) continue;
      keyErrors.add(id);
      if (e.keyword === 'additionalProperties') out.push(unknownKey(ctx, e));
      else if (e.keyword === 'required') out.push(missingKey(ctx, e));
      else if (e.keyword === 'not') out.push(reservedName(ctx, e));
      else out.push(badPattern(ctx, e));
      continue;
    }
    const prev = bestValueError.get(e.instancePath);
    if (!prev || (PRIORITY[e.keyword] ?? 9) < (PRIORITY[prev.keyword] ?? 9)) bestValueError.set(e.instancePath, e);
  }
  for (const e of bestValueError.values()) {
    if (e.keyword === 'type') out.push(wrongType(ctx, e));
    else if (e.keyword === 'const' && e.instancePath === '/seqloom') {
      out.push(unsupportedVersion({ file: ctx.file, range: locateValue(ctx.sourceMap, e.instancePath), path: e.instancePath },
        writtenValue(ctx, e.instancePath)));
    } else if (e.keyword === 'enum' || e.keyword === 'const') out.push(badEnum(ctx, { ...e, params: { allowedValues: e.params.allowedValues ?? [e.params.allowedValue] } }));
    else if (e.keyword === 'anyOf' || e.keyword === 'oneOf') out.push(noBranch(ctx, e));
    else if (e.keyword === 'pattern') out.push(badPattern(ctx, e));
    else if (e.keyword === 'uniqueItems') out.push(duplicateItem(ctx, e));
    else if (e.keyword in PRIORITY) out.push(outOfRange(ctx, e));
    else out.push(make(ctx, 'S010', locateValue(ctx.sourceMap, e.instancePath), e.instancePath,
      `\`${lastKey(e.instancePath) || 'the spec'}\` ${e.message ?? 'does not match the schema'}`));
  }
  return dropMisspelledRequired(out);
}

/** `hiden: 32` is one problem, not two: the unknown key's suggestion explains the missing key. */
function dropMisspelledRequired(diagnostics: Diagnostic[]): Diagnostic[] {
  const suggested = new Set(
    diagnostics.filter((d) => d.code === 'S001' && d.suggestion !== undefined)
      .map((d) => `${d.path.slice(0, d.path.lastIndexOf('/'))}/${d.suggestion}`),
  );
  return diagnostics.filter((d) => !(d.code === 'S002' && suggested.has(d.path)));
}
