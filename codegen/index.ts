/**
 * seqloom's code generator: a spec → its typed TensorFlow.js module (one `.ts` file).
 *
 *   generateFromSpec(spec)        Spec → graph (src/graph) → plan → module text; diagnostics on failure
 *   generateSpecFile(path)        the same from a spec file
 *   writeGeneratedModule(...)     writes it into an output directory (never outside it)
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Result } from '../src/diagnostics/types.js';
import { buildGraph, planGraph } from '../src/graph/index.js';
import { loadSpecFile } from '../src/spec/index.js';
import type { Spec } from '../src/spec/types.js';
import { generateModule, type GeneratedModule } from './generate-module.js';

export { GENERATOR_VERSION, generateModule, moduleFileName } from './generate-module.js';
export type { GeneratedModule, GenerateOptions } from './generate-module.js';

/**
 * The header's spec path: relative to `base` (default: the working directory) with `/` separators
 * when the spec lies inside it, else the file name alone, so output never depends on the machine.
 */
export function displaySpecPath(specFile: string, base = process.cwd()): string {
  const rel = relative(resolve(base), resolve(specFile));
  if (rel === '' || rel.startsWith('..') || resolve(rel) === rel) return specFile.split(/[\\/]/).pop()!;
  return rel.split(sep).join('/');
}

export function generateFromSpec(spec: Spec, specPath: string): Result<GeneratedModule> {
  const graph = buildGraph(spec);
  if (graph.value === null) return { value: null, diagnostics: graph.diagnostics };
  const plan = planGraph(graph.value);
  return { value: generateModule(graph.value, plan, { specPath }), diagnostics: graph.diagnostics };
}

export function generateSpecFile(path: string, base?: string): Result<GeneratedModule> {
  const spec = loadSpecFile(path);
  if (spec.value === null) return { value: null, diagnostics: spec.diagnostics };
  const out = generateFromSpec(spec.value, displaySpecPath(path, base));
  return { value: out.value, diagnostics: [...spec.diagnostics, ...out.diagnostics] };
}

/** The default output directory: `<spec dir>/generated/` (models/*.yaml → models/generated/). */
export function defaultOutputDir(specPath: string): string {
  return join(dirname(resolve(specPath)), 'generated');
}

/**
 * Writes the module as `<outDir>/<fileName>` (atomically: temp file + rename) and returns the path.
 * The file name is checked to stay inside `outDir`.
 */
export function writeGeneratedModule(module: GeneratedModule, outDir: string): string {
  const dir = resolve(outDir);
  const target = resolve(dir, module.fileName);
  if (dirname(target) !== dir) throw new Error(`codegen: refusing to write ${module.fileName} outside ${dir}`);
  mkdirSync(dir, { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  writeFileSync(tmp, module.text);
  renameSync(tmp, target);
  return target;
}
