/**
 * Spec or checkpoint → a ready module, the one path every command takes: start the backend, compile
 * the spec through src/compile (cached), build the module, load weights.
 */
import path from 'node:path';
import type { Spec } from '../spec/types.js';
import type { AnyModule, GeneratedModuleClass, ModuleConfig } from '../runtime/module.js';
import { initBackend, isBackendChoice, readSafetensors } from '../runtime/node/index.js';
import { instantiate, moduleConfig } from '../runtime/io/checkpoint-bytes.js';
import { UserError } from '../errors.js';
import { readCheckpoint, floatTensors, CHECKPOINT_FILES, type CheckpointContents } from './checkpoint.js';

export { instantiate };

export async function startBackend(choice: string | undefined): Promise<string> {
  const name = choice ?? 'auto';
  if (!isBackendChoice(name)) throw new UserError(`unknown backend '${name}'`, 'use one of node, wasm, cpu, auto');
  return initBackend(name);
}

export interface LoadedSpecModule { spec: Spec; ModuleClass: GeneratedModuleClass; backend: string }
export type SpecModuleLoader = (specPath: string, backend?: string) => Promise<LoadedSpecModule>;

export async function loadModuleForSpec(specPath: string, backend?: string): Promise<LoadedSpecModule> {
  const started = await startBackend(backend);
  // Loaded on demand: the code generator (ts-morph) is heavy and not every path needs it.
  const { loadGeneratedModule } = await import('../compile/index.js');
  const { spec, ModuleClass } = await loadGeneratedModule(specPath);
  return { spec, ModuleClass, backend: started };
}

/** `forward`/`decode`: a spec plus a weights file, vocabulary sizes from IN.json. */
export async function loadSpecWithWeights(
  specPath: string, weightsPath: string, config: ModuleConfig, backend?: string, loader: SpecModuleLoader = loadModuleForSpec,
) {
  const { spec, ModuleClass, backend: started } = await loader(specPath, backend);
  const weights = floatTensors(readSafetensors(weightsPath).tensors, weightsPath);
  return { spec, module: instantiate(ModuleClass, config, weights, weightsPath), backend: started };
}

export interface TrainedModel {
  spec: Spec;
  module: AnyModule;
  checkpoint: CheckpointContents;
  backend: string;
}

/** `translate`/`sample`/`eval`: everything from a checkpoint directory. */
export async function loadTrainedModel(
  dir: string, backend?: string, loader: SpecModuleLoader = loadModuleForSpec,
): Promise<TrainedModel> {
  const checkpoint = readCheckpoint(dir);
  const { spec, ModuleClass, backend: started } = await loader(path.join(dir, CHECKPOINT_FILES.spec), backend);
  if (spec.task !== checkpoint.meta.task) {
    throw new UserError(`${dir}: meta.json says ${checkpoint.meta.task} but spec.yaml is a ${spec.task} spec`);
  }
  const config = moduleConfig(checkpoint.vocabs, checkpoint.meta.seed);
  const module = instantiate(ModuleClass, config, checkpoint.weights, path.join(dir, CHECKPOINT_FILES.model));
  return { spec, module, checkpoint, backend: started };
}
