/**
 * Stage 2: the plain data against schema/seqloom.schema.json. The validator is ajv's standalone
 * code generated at build time (src/spec/schema-codegen.ts), so nothing compiles at run time.
 * Also rejects non-finite numbers (`.inf`, `.nan`), which JSON Schema cannot.
 */
import { diagnostic } from '../diagnostics/factories.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { ParsedYaml } from './parse.js';
import { schemaDiagnostics, type AjvError } from './schema-errors.js';
import { validate as generatedValidate } from './schema-validator.generated.js';
import { locateValue, pointerOf } from './source-map.js';

type ValidateFunction = ((data: unknown) => boolean) & { errors?: AjvError[] | null };
const validateAgainstSchema = generatedValidate as ValidateFunction;

function nonFiniteNumbers(parsed: ParsedYaml, skip: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  const visit = (value: unknown, segs: (string | number)[], depth: number): void => {
    if (depth > 32) return;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      const path = pointerOf(segs);
      if (!skip.has(path)) {
        out.push(diagnostic({
          code: 'S005', file: parsed.file, range: locateValue(parsed.sourceMap, path), path,
          message: `\`${String(segs[segs.length - 1])}\` must be a finite number; got ${String(value)}`,
        }));
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, [...segs, i], depth + 1));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) visit(v, [...segs, k], depth + 1);
    }
  };
  visit(parsed.data, [], 0);
  return out;
}

/** Schema diagnostics for parsed YAML (empty when it conforms). */
export function validateSpecSchema(parsed: ParsedYaml): Diagnostic[] {
  const ok = validateAgainstSchema(parsed.data);
  const errors = ok ? [] : [...(validateAgainstSchema.errors ?? [])];
  const diagnostics = schemaDiagnostics(errors, parsed);
  return [...diagnostics, ...nonFiniteNumbers(parsed, new Set(diagnostics.map((d) => d.path)))];
}
