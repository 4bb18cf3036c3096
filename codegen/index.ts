/**
 * seqloom's code generator: a spec → its typed TensorFlow.js module (one `.ts` file).
 *
 *   generateFromSpec(spec)        Spec → graph (src/graph) → plan → module text; diagnostics on failure
 *   generateSpecFile(path)        the same from a spec file
 *   target 'pytorch'              the same plan through the PyTorch emitter (./pytorch): a `.py` module
 *   writeGeneratedModule(...)     writes it into an output directory (never outside it)
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { Result } from '../src/diagnostics/types.js';
import { buildGraph, planGraph } from '../src/graph/index.js';
import { loadSpecFile } from '../src/spec/index.js';
import type { Spec } from '../src/spec/types.js';
import { generateModule, type GeneratedModule } from './generate-module.js';
import { generatePytorchModule } from './pytorch/index.js';

/** What `generate` writes: the TypeScript module (default) or the PyTorch one. */
export type GenerateTarget = 'typescript' | 'pytorch';
export const GENERATE_TARGETS: readonly GenerateTarget[] = ['typescript', 'pytorch'];

export { GENERATOR_VERSION, generateModule, moduleFileName } from './generate-module.js';
export type { GeneratedModule, GenerateOptions } from './generate-module.js';

/**
 * The header's spec path, independent of the working directory: relative (with `/`) to the nearest
 * folder above the spec holding a package.json or .git (`models/d2l-seq2seq-gru.yaml` in this repo),
 * else the file name alone.
 */
export function displaySpecPath(specFile: string): string {
  const file = resolve(specFile);
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || existsSync(join(dir, '.git'))) return relative(dir, file).split(sep).join('/');
    if (dirname(dir) === dir) return basename(file);
  }
}

export function generateFromSpec(spec: Spec, specPath: string, target: GenerateTarget = 'typescript'): Result<GeneratedModule> {
  const graph = buildGraph(spec);
  if (graph.value === null) return { value: null, diagnostics: graph.diagnostics };
  const plan = planGraph(graph.value);
  const emit = target === 'pytorch' ? generatePytorchModule : generateModule;
  return { value: emit(graph.value, plan, { specPath }), diagnostics: graph.diagnostics };
}

export function generateSpecFile(path: string, target: GenerateTarget = 'typescript'): Result<GeneratedModule> {
  const spec = loadSpecFile(path);
  if (spec.value === null) return { value: null, diagnostics: spec.diagnostics };
  const out = generateFromSpec(spec.value, displaySpecPath(path), target);
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
