/**
 * Spec → a runnable generated module, the one code path every command (train, translate, forward,
 * decode, eval, sample) takes: load and check the spec, generate its TypeScript (codegen/, the same
 * text `seqloom generate` writes), transpile it (no type-check), cache the JavaScript by the spec's
 * hash, import it. A cache hit skips the generator entirely (ts-morph is not even loaded).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GENERATOR_VERSION } from '../../codegen/version.js';
import { renderDiagnostics } from '../diagnostics/index.js';
import type { Diagnostic } from '../diagnostics/types.js';
import { UserError } from '../errors.js';
import type { GeneratedModuleClass } from '../runtime/module.js';
import { MAX_SPEC_BYTES, loadSpecFile } from '../spec/index.js';
import { readFileBounded } from '../runtime/io/bounded-read.js';
import type { Spec } from '../spec/types.js';
import { FROM_SOURCES, cacheDir, cacheKey, fingerprint, pruneCache, writeAtomically } from './cache.js';

export { cacheDir } from './cache.js';

/** Import specifiers of a generated module's two imports (see ./transpile.ts). */
export interface ModuleTargets { runtime: string; tfjs: string }

export interface LoadedGeneratedModule {
  spec: Spec;
  ModuleClass: GeneratedModuleClass;
  /** The cached JavaScript file that was imported. */
  path: string;
  /** False when this call generated and transpiled it. */
  fromCache: boolean;
}

/** A spec file → its generated module class. Spec errors are a UserError showing the diagnostics. */
export async function loadGeneratedModule(specPath: string): Promise<LoadedGeneratedModule> {
  return loadGeneratedModuleForSpec(loadCheckedSpec(specPath), specPath);
}

/** A spec file, loaded and checked; errors are a UserError showing the diagnostics (as `validate` would). */
export function loadCheckedSpec(specPath: string): Spec {
  const loaded = loadSpecFile(specPath);
  if (loaded.value === null) throw specError(specPath, loaded.diagnostics, readOrNull(specPath));
  return loaded.value;
}

/** A loaded Spec (e.g. a checkpoint's spec.yaml) → its generated module class. */
export async function loadGeneratedModuleForSpec(spec: Spec, displayPath: string = spec.file): Promise<LoadedGeneratedModule> {
  const targets = moduleTargets();
  const headerPath = basename(spec.file);
  const key = cacheKey([GENERATOR_VERSION, fingerprint(), headerPath, targets.runtime, targets.tfjs, spec.source]);
  const path = join(cacheDir(), `${spec.name}-${key}.mjs`);
  const fromCache = existsSync(path);
  if (!fromCache) await compileTo(path, spec, headerPath, displayPath, targets);
  let imported: { default?: unknown };
  try {
    imported = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    // Pruned by another process between the check and the import: compile it again, once.
    if (!fromCache || existsSync(path)) throw e;
    await compileTo(path, spec, headerPath, displayPath, targets);
    imported = (await import(pathToFileURL(path).href)) as { default?: unknown };
  }
  return { spec, ModuleClass: checkedClass(imported.default, path), path, fromCache };
}

/** Generate, transpile and cache one module (the generator pulls in ts-morph: loaded only here). */
async function compileTo(path: string, spec: Spec, headerPath: string, displayPath: string, targets: ModuleTargets): Promise<void> {
  const [{ generateFromSpec }, { transpileGenerated }] = await Promise.all([import('../../codegen/index.js'), import('./transpile.js')]);
  const generated = generateFromSpec(spec, headerPath);
  if (generated.value === null) throw specError(displayPath, generated.diagnostics, spec.source);
  writeAtomically(path, transpileGenerated(generated.value.text, generated.value.fileName, targets));
  pruneCache(dirname(path));
}

function checkedClass(value: unknown, path: string): GeneratedModuleClass {
  const cls = value as { specName?: unknown; task?: unknown } | undefined;
  const ok = typeof value === 'function' && typeof cls?.specName === 'string' && (cls.task === 'seq2seq' || cls.task === 'language-model');
  if (!ok) {
    throw new Error(`compiled module ${path} does not export a generated module class`);
  }
  return cls as unknown as GeneratedModuleClass;
}

/** Where the generated module's two imports point: this process's runtime and tfjs. */
export function moduleTargets(): ModuleTargets {
  const here = dirname(fileURLToPath(import.meta.url));
  const runtime = join(here, '..', 'runtime', FROM_SOURCES ? 'index.ts' : 'index.js');
  // Built: the facade every dist file imports tfjs through (scripts/tfjs-facade.mjs), which loads
  // the package without Node's export scan. From sources (tests): the package itself.
  const tfjs = FROM_SOURCES ? createRequire(import.meta.url).resolve('@tensorflow/tfjs') : join(here, '..', 'vendor', 'tfjs.js');
  return { runtime: specifierFor(runtime), tfjs: specifierFor(tfjs) };
}

/** An absolute path as an import specifier (POSIX paths as they are; Windows needs a file URL). */
function specifierFor(path: string): string {
  return process.platform === 'win32' ? pathToFileURL(path).href : path;
}

/**
 * Spec errors for the commands that load a spec: an unreadable file is one line
 * (`nope.yaml: cannot read the spec file: no such file`); otherwise the count, then every error
 * with its source frame, as `validate` shows them (warnings are left to `validate`).
 */
function specError(file: string, diagnostics: readonly Diagnostic[], source: string | null): UserError {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const unreadable = errors.find((d) => d.code === 'Y001');
  if (unreadable) return new UserError(`${file}: ${unreadable.message}`);
  const count = `${errors.length} error${errors.length === 1 ? '' : 's'}`;
  const warned = diagnostics.length > errors.length ? ` (and warnings: see \`seqloom validate ${file}\`)` : '';
  return new UserError(`${file}: the spec has ${count}${warned}\n${renderDiagnostics(errors, source).replace(/\n+$/, '')}`);
}

function readOrNull(path: string): string | null {
  try {
    return readFileBounded(path, MAX_SPEC_BYTES).toString('utf8');
  } catch {
    return null;
  }
}
