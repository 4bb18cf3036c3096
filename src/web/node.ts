/**
 * Node's extras to loadModel: the spec as YAML (its text or bytes) instead of an inference spec,
 * and the generated module compiled from it (src/compile, cached) unless one is given.
 */
import { UserError } from '../errors.js';
import { renderDiagnostics } from '../diagnostics/index.js';
import { loadSpecText } from '../spec/index.js';
import { specHash } from '../runtime/io/checkpoint.js';
import { decodeUtf8 } from '../runtime/io/checkpoint-bytes.js';
import type { GeneratedModuleClass } from '../runtime/module.js';
import { loadModel, type LoadModelOptions, type ModelSources, type WebModel } from './model.js';
import { inferenceSpec } from './spec-json.js';

export interface SpecSources extends Omit<ModelSources, 'spec' | 'module'> {
  /** spec.yaml's text or bytes. */
  spec: string | Uint8Array;
  /** The generated module; default: compiled from the spec. */
  module?: GeneratedModuleClass | URL | string;
}

export async function loadModelFromSpec(sources: SpecSources, options: LoadModelOptions = {}): Promise<WebModel> {
  const text = typeof sources.spec === 'string' ? sources.spec : decodeUtf8(sources.spec, 'spec.yaml');
  const loaded = loadSpecText(text, 'spec.yaml');
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (loaded.value === null || errors.length > 0) {
    throw new UserError(`spec.yaml: the spec has ${errors.length} error(s)\n${renderDiagnostics(errors, text).replace(/\n+$/, '')}`);
  }
  const spec = loaded.value;
  const module = sources.module ?? (await (await import('../compile/index.js')).loadGeneratedModuleForSpec(spec)).ModuleClass;
  return loadModel({ ...sources, spec: inferenceSpec(spec, specHash(text)), module }, options);
}
