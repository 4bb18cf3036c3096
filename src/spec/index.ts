/**
 * The spec front end: text → parse (YAML, ranges) → schema → normalize → typed `Spec`.
 * Stops before graph checks (src/graph/). Never throws on a bad spec: problems come back as
 * diagnostics whose `file` is the path as given (for display); `Spec.file` is absolute.
 */
import { statSync } from 'node:fs';
import { readFileBounded } from '../runtime/io/bounded-read.js';
import { failure, fileUnreadable, hasErrors, sortDiagnostics } from '../diagnostics/factories.js';
import type { Result } from '../diagnostics/types.js';
import { normalizeSpec } from './normalize.js';
import { parseSpecYaml } from './parse.js';
import type { Spec } from './types.js';
import { validateSpecSchema } from './validate.js';

export type * from './types.js';
export { TASK_STREAMS } from './types.js';
export { parseSpecYaml, type ParsedYaml } from './parse.js';
export { validateSpecSchema } from './validate.js';
export { normalizeSpec, specFilePath } from './normalize.js';
export { parseRef, isStreamName, STREAMS } from './refs.js';
export * from './defaults.js';

/** Largest spec file read (a spec is a page of YAML; this guards against pointing at a dataset). */
export const MAX_SPEC_BYTES = 1 << 20;

/** Parse, schema-check and normalize a spec's text. Diagnostics come back in source order. */
export function loadSpecText(text: string, file: string): Result<Spec> {
  const parsed = parseSpecYaml(text, file);
  if (parsed.value === null) return failure(sortDiagnostics(parsed.diagnostics));
  const schema = validateSpecSchema(parsed.value);
  if (hasErrors(schema)) return failure(sortDiagnostics([...parsed.diagnostics, ...schema]));
  const spec = normalizeSpec(parsed.value, text);
  return { value: spec.value, diagnostics: sortDiagnostics([...parsed.diagnostics, ...schema, ...spec.diagnostics]) };
}

/** A spec file's text; an unreadable file is a Y001 diagnostic (there is no source to show). */
export function readSpecText(path: string): Result<string> {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return failure([fileUnreadable(path, 'it is a directory')]);
    if (stat.size > MAX_SPEC_BYTES) {
      return failure([fileUnreadable(path, `it is ${stat.size} bytes; a spec is at most ${MAX_SPEC_BYTES}`)]);
    }
    return { value: readFileBounded(path, MAX_SPEC_BYTES).toString('utf8'), diagnostics: [] }; // /dev/zero never ends
  } catch (err) {
    return failure([fileUnreadable(path, describeFsError(err))]);
  }
}

export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    default: return e instanceof Error ? e.message : String(err);
  }
}

export function loadSpecFile(path: string): Result<Spec> {
  const read = readSpecText(path);
  if (read.value === null) return failure(read.diagnostics);
  return loadSpecText(read.value, path);
}
