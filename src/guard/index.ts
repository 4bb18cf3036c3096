/**
 * The resource guard: before training allocates a tensor, compare the estimated memory of a step
 * (src/graph/estimate.ts, with the real vocabulary sizes once data is loaded) with what the
 * backend can use (./memory.ts), and refuse with a located diagnostic (M001) when it cannot fit.
 * `validate` runs the same check with guessed vocabulary sizes and reports a warning.
 *
 *   checkTrainingMemory(spec, graph, opts)     the diagnostic, or null when it fits
 *   guardTrainingMemory(spec, vocab, backend)  throws a UserError (rendered frame) when it does not
 *   guardDecode(request, backend)              bounds a search's steps, beam and memory (./decode.ts)
 *   checkInputVocab(spec, weights, vocab, …)   IN.json's vocabulary sizes vs the weights' (./weights-vocab.ts)
 */
import path from 'node:path';
import type { Diagnostic, Severity } from '../diagnostics/types.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import type { Spec, StreamName } from '../spec/types.js';
import { buildGraph } from '../graph/build.js';
import { estimateResources, type ResourceDimsInput } from '../graph/estimate.js';
import type { ModelGraph } from '../graph/types.js';
import { UserError } from '../errors.js';
import { memoryBudget, type MemoryBudget, type MemoryProbe } from './memory.js';
import { systemMemoryProbe } from './system-memory.js';
import { memoryDiagnostic } from './diagnostic.js';
import { trainingMemory } from './training-memory.js';

export { WASM_HEAP_MAX_BYTES, formatBytes, formatCount, memoryBudget } from './memory.js';
export { systemMemoryProbe } from './system-memory.js';
export type { MemoryBudget, MemoryProbe } from './memory.js';
export { trainingMemory } from './training-memory.js';
export { MAX_BEAM_SIZE, MAX_DECODE_LEN, decodeMemory, guardDecode, guardSampleLength } from './decode.js';
export type { DecodeRequest } from './decode.js';
export { checkInputVocab, vocabFromWeights } from './weights-vocab.js';
export type { WeightsVocab } from './weights-vocab.js';
export type { TrainingMemory, NodeNeed } from './training-memory.js';

export interface MemoryCheckOptions {
  /** Sizes known so far (vocabularies once data is loaded); the rest comes from the spec or is guessed. */
  dims?: ResourceDimsInput;
  budget: MemoryBudget;
  severity: Severity;
  /** File name for the diagnostic (default: the spec's path). */
  file?: string;
}

export function checkTrainingMemory(spec: Spec, graph: ModelGraph, o: MemoryCheckOptions): Diagnostic | null {
  const estimate = estimateResources(graph, o.dims);
  const need = trainingMemory(estimate, spec.train.optimizer.name);
  if (need.totalBytes <= o.budget.bytes) return null;
  return memoryDiagnostic({ spec, file: o.file ?? spec.file, estimate, need, budget: o.budget, severity: o.severity });
}

/** What `validate` adds: a warning when the spec, at guessed vocabulary sizes, would not fit. */
export function validateMemoryWarnings(spec: Spec, graph: ModelGraph, backend = likelyBackend(), probe: MemoryProbe = systemMemoryProbe): Diagnostic[] {
  const d = checkTrainingMemory(spec, graph, { budget: memoryBudget(backend, probe), severity: 'warning' });
  return d ? [d] : [];
}

/** The backend `auto` is most likely to pick without starting one: SEQLOOM_BACKEND, else wasm. */
function likelyBackend(): string {
  const env = process.env.SEQLOOM_BACKEND;
  return env && env !== 'auto' ? env : 'wasm';
}

/**
 * Called by the training session once data is loaded and before the module is built: a UserError
 * with the rendered M001 frame when the estimate exceeds the backend's memory.
 */
export function guardTrainingMemory(
  spec: Spec, vocab: Partial<Record<StreamName, number>>, backend: string, probe: MemoryProbe = systemMemoryProbe,
): void {
  const graph = buildGraph(spec);
  if (graph.value === null) return; // the compile step reported the graph's errors already
  const file = path.relative(process.cwd(), spec.file) || spec.file;
  const d = checkTrainingMemory(spec, graph.value, { dims: { vocab }, budget: memoryBudget(backend, probe), severity: 'error', file });
  if (d === null) return;
  throw new UserError(`not enough memory to train ${spec.name}, refusing before allocating anything:\n${renderDiagnostic(d, spec.source)}`);
}
