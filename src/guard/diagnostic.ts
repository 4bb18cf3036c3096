/**
 * The resource guard's diagnostic (M001): the estimate against the budget, pointed at the spec
 * value that makes the model big — the largest node's size key (`hidden:` of a recurrent cell,
 * `dim:` of an embedding, `units:` of a dense) — with a note at `train.batch_size` when
 * activations dominate, and the arithmetic in notes so the user can see what to change.
 */
import { diagnostic } from '../diagnostics/factories.js';
import type { Diagnostic, RelatedNote, Severity } from '../diagnostics/types.js';
import { TASK_STREAMS, type GraphNode, type Spec } from '../spec/types.js';
import { STREAM_TIME } from '../graph/types.js';
import type { ResourceEstimate } from '../graph/estimate.js';
import { formatBytes, formatCount, type MemoryBudget } from './memory.js';
import type { TrainingMemory } from './training-memory.js';

/** The key of a node whose value sets its size, when it has one. */
const SIZE_KEY: Partial<Record<GraphNode['op'], string>> = {
  embedding: 'dim', recurrent: 'hidden', dense: 'units', attention: 'hidden',
};

function sizeSite(node: GraphNode): { range: GraphNode['range']; key: string | null } {
  const key = SIZE_KEY[node.op];
  const range = key !== undefined ? node.keyRanges[key] : undefined;
  return range ? { range, key: key! } : { range: node.nameRange, key: null };
}

/** The sizes the estimate used, for the task's streams: `batch 64, T_src 10, …, V_target 30 (guessed)`. */
function dimsText(spec: Spec, e: ResourceEstimate): string {
  const streams = TASK_STREAMS[spec.task];
  const parts = [`batch ${e.dims.batch}`];
  for (const s of streams) parts.push(`${STREAM_TIME[s]} ${e.dims.time[STREAM_TIME[s]]}`);
  for (const s of streams) parts.push(`V_${s} ${e.dims.vocab[s]}${e.guessed.includes(`V_${s}`) ? ' (guessed)' : ''}`);
  return parts.join(', ');
}

export interface MemoryDiagnosticInput {
  spec: Spec;
  /** The file name to report (as the user gave it). */
  file: string;
  estimate: ResourceEstimate;
  need: TrainingMemory;
  budget: MemoryBudget;
  severity: Severity;
}

export function memoryDiagnostic(a: MemoryDiagnosticInput): Diagnostic {
  const { spec, estimate, need, budget } = a;
  const largest = need.nodes[0];
  const node = largest ? spec.nodes.find((n) => n.name === largest.node) : undefined;
  const site = node ? sizeSite(node) : { range: spec.ranges['/graph'] ?? { start: 0, end: 0 }, key: null };
  const slots = need.paramCopies - 2;
  const notes: RelatedNote[] = [
    { message: `parameters: ${formatCount(estimate.totalParams)} × ${need.paramCopies} copies (weights, gradients`
      + `${slots > 0 ? `, ${spec.train.optimizer.name}'s ${slots} slots` : ''}) × 4 bytes = ${formatBytes(need.paramBytes)}` },
    { message: `activations: ${formatCount(estimate.totalActivations)} values kept for backprop, and their gradients, × 4 bytes`
      + ` = ${formatBytes(need.activationBytes)} (${dimsText(spec, estimate)})` },
  ];
  if (largest) {
    notes.push({ message: `the largest node is \`${largest.node}\` (${node?.op ?? 'node'}): ${formatCount(largest.params)} parameters,`
      + ` ${formatCount(largest.activations)} activations, about ${formatBytes(largest.bytes)}` });
  }
  const batchRange = spec.ranges['/train/batch_size'];
  if (need.activationBytes > need.paramBytes && batchRange) {
    notes.push({ message: `activations dominate; they grow with train.batch_size (${spec.train.batch_size})`, range: batchRange });
  }
  const change = site.key !== null && node ? `a smaller \`${site.key}\` for \`${node.name}\`` : 'smaller layers';
  return diagnostic({
    code: 'M001', severity: a.severity, file: a.file, range: site.range,
    path: node ? `/graph/${node.name}${site.key !== null ? `/${site.key}` : ''}` : '/graph',
    message: `training \`${spec.name}\` needs about ${formatBytes(need.totalBytes)}, more than the ${formatBytes(budget.bytes)} available`
      + ` (${budget.limitedBy})`,
    notes,
    help: `${change}, a smaller train.batch_size or shorter max_len, or a backend with more memory (--backend)`,
  });
}
