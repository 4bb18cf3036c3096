/**
 * The resource guard: a spec whose estimated parameters + activations exceed the memory a backend
 * can use is refused before training allocates a tensor, with a located M001 diagnostic that shows
 * the estimate; `validate` reports the same as a warning (guessed vocabulary sizes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadSpecText } from '../../src/spec/index.js';
import { buildGraph, estimateResources } from '../../src/graph/index.js';
import { renderDiagnostic, toJsonDiagnostic } from '../../src/diagnostics/render.js';
import {
  WASM_HEAP_MAX_BYTES, checkTrainingMemory, formatBytes, guardTrainingMemory, memoryBudget, trainingMemory,
  validateMemoryWarnings, type MemoryProbe,
} from '../../src/guard/index.js';
import { runTraining } from '../../src/train/session.js';
import { createProgressReporter } from '../../src/train/progress.js';
import { UserError } from '../../src/errors.js';
import { useBackend } from '../../src/runtime/backend/index.js';
import { BUILT, expectCleanError, lineOf, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

const GiB = 2 ** 30;
const probe = (o: Partial<Record<keyof MemoryProbe, number | undefined>> = {}): MemoryProbe => ({
  freemem: () => o.freemem ?? 16 * GiB, totalmem: () => o.totalmem ?? 32 * GiB,
  heapLimit: () => o.heapLimit ?? 4 * GiB, heapUsed: () => o.heapUsed ?? 0.5 * GiB, constrained: () => o.constrained,
});

function specOf(text: string, file = 'huge.yaml') {
  const r = loadSpecText(text, file);
  if (!r.value) throw new Error(JSON.stringify(r.diagnostics));
  const g = buildGraph(r.value);
  if (!g.value) throw new Error(JSON.stringify(g.diagnostics));
  return { spec: r.value, graph: g.value };
}

const HUGE = tinySeq2seqSpec({ name: 'huge', hidden: 20000 });
const SMALL = tinySeq2seqSpec({ name: 'small' });

describe('memory budget per backend', () => {
  it('wasm is capped at its 4 GiB heap, cpu at the JS heap left, node at free memory; cgroup limits count', () => {
    expect(memoryBudget('wasm', probe()).bytes).toBe(WASM_HEAP_MAX_BYTES);
    expect(memoryBudget('wasm', probe()).limitedBy).toMatch(/wasm.*4 GiB/);
    expect(memoryBudget('wasm', probe({ freemem: 1 * GiB })).bytes).toBe(1 * GiB);
    expect(memoryBudget('cpu', probe()).bytes).toBe(3.5 * GiB);
    expect(memoryBudget('cpu', probe()).limitedBy).toMatch(/JavaScript heap: 3.5 GiB left/);
    expect(memoryBudget('node', probe()).bytes).toBe(16 * GiB);
    expect(memoryBudget('tensorflow', probe({ constrained: 2 * GiB })).bytes).toBe(2 * GiB);
    // Node reports a huge number when there is no cgroup limit.
    expect(memoryBudget('node', probe({ constrained: 2 ** 64 })).bytes).toBe(16 * GiB);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(4 * GiB)).toBe('4.0 GiB');
  });
});

describe('checkTrainingMemory', () => {
  it('passes a small model and refuses a huge one at the largest node\'s `hidden:`, with the estimate', () => {
    const small = specOf(SMALL);
    expect(checkTrainingMemory(small.spec, small.graph, { budget: { bytes: GiB, limitedBy: 'test' }, severity: 'error' })).toBeNull();

    const { spec, graph } = specOf(HUGE);
    const estimate = estimateResources(graph, { vocab: { source: 30, target: 30 } });
    const need = trainingMemory(estimate, 'adam');
    // weights + gradients + Adam's m and v, and activations twice (forward values, their gradients)
    expect(need.totalBytes).toBe(4 * (4 * estimate.totalParams + 2 * estimate.totalActivations));
    const d = checkTrainingMemory(spec, graph, {
      dims: { vocab: { source: 30, target: 30 } }, budget: { bytes: 4 * GiB, limitedBy: 'test limit' }, severity: 'error',
      file: 'huge.yaml',
    })!;
    expect(d).not.toBeNull();
    expect(d.code).toBe('M001');
    const json = toJsonDiagnostic(d, HUGE);
    // The decoder is the largest node (its input is wider than the encoder's).
    expect(json.line).toBe(lineOf(HUGE, '  decoder:'));
    expect(json.path).toBe('/graph/decoder/hidden');
    expect(HUGE.slice(d.range.start, d.range.end)).toBe('20000');
    expect(d.message).toContain(`needs about ${formatBytes(need.totalBytes)}`);
    expect(d.message).toContain('4.0 GiB available (test limit)');
    const text = renderDiagnostic(d, HUGE);
    expect(text).toMatch(/^huge\.yaml:\d+:\d+: error\[M001\]: training `huge` needs about [\d.]+ GiB/);
    expect(text).toMatch(/\^\^\^\^\^/);
    expect(text).toMatch(/parameters: [\d.]+ G × 4 copies \(weights, gradients, adam's 2 slots\)/);
    expect(text).toContain('(batch 32, T_src 6, T_tgt 6, V_source 30, V_target 30)');
  });

  it('points at train.batch_size when activations dominate', () => {
    const text = tinySeq2seqSpec({ name: 'wide-batch', batch: 2_000_000 });
    const { spec, graph } = specOf(text);
    const d = checkTrainingMemory(spec, graph, { budget: { bytes: GiB, limitedBy: 'test' }, severity: 'error' })!;
    expect(d.notes.some((n) => n.range && text.slice(n.range.start, n.range.end) === '2000000')).toBe(true);
  });

  it('validate\'s variant is a warning at guessed sizes', () => {
    const { spec, graph } = specOf(HUGE);
    const [w] = validateMemoryWarnings(spec, graph, 'wasm', probe());
    expect(w?.severity).toBe('warning');
    expect(renderDiagnostic(w!, HUGE)).toContain('(guessed)');
    expect(validateMemoryWarnings(specOf(SMALL).spec, specOf(SMALL).graph, 'wasm', probe())).toEqual([]);
  });

  it('renders like validate\'s frames (golden)', async () => {
    const { spec, graph } = specOf(HUGE);
    const [w] = validateMemoryWarnings(spec, graph, 'wasm', probe());
    await expect(`${renderDiagnostic({ ...w!, file: 'huge.yaml' }, HUGE)}\n`).toMatchFileSnapshot('golden/M001.txt');
  });

  it('guardTrainingMemory throws a UserError carrying the rendered frame', () => {
    const { spec } = specOf(HUGE);
    let caught: unknown;
    try {
      guardTrainingMemory(spec, { source: 30, target: 30 }, 'wasm', probe());
    } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as Error).message).toMatch(/not enough memory to train huge[^]*error\[M001\][^]*hidden: 20000/);
    expect(() => guardTrainingMemory(specOf(SMALL).spec, { source: 30, target: 30 }, 'wasm', probe())).not.toThrow();
  });
});

let root = '';
beforeAll(() => {
  root = makeTemp('guard');
  fs.writeFileSync(path.join(root, 'huge.yaml'), HUGE);
});
afterAll(() => removeTemp(root));

describe('the training session', () => {
  it('refuses before building the module: no tensor allocated, no checkpoint folder', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const out = path.join(root, 'session-run');
    const reporter = createProgressReporter({ write: () => true, isTTY: false });
    await expect(runTraining({ specPath: path.join(root, 'huge.yaml'), out, backend: 'wasm', reporter }))
      .rejects.toThrow(/error\[M001\]/);
    expect(tf.memory().numTensors).toBe(before);
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);
});

describe.skipIf(!BUILT)('through the CLI', () => {
  it('train: exit 1 with the located diagnostic, quickly, nothing written', () => {
    const r = seqloom(['train', 'huge.yaml', '--out', 'run'], root);
    expectCleanError(r);
    expect(r.stderr).toMatch(/^seqloom: error: not enough memory to train huge/);
    expect(r.stderr).toContain(`huge.yaml:${lineOf(HUGE, '  decoder:')}:`);
    // 4 GiB on any machine with that much free memory (else the free memory).
    expect(r.stderr).toMatch(/error\[M001\]: training `huge` needs about [\d.]+ GiB, more than the [\d.]+ [KMG]iB available \((the wasm backend's 4 GiB heap limit|free system memory.*)\)/);
    expect(r.stderr).toMatch(/^ *= note: parameters: [\d.]+ G × 4 copies/m);
    expect(r.ms).toBeLessThan(30_000);
    expect(fs.existsSync(path.join(root, 'run'))).toBe(false);
  });

  it('validate: a warning, exit 0; --json carries it', () => {
    const r = seqloom(['validate', 'huge.yaml'], root);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/huge\.yaml:\d+:\d+: warning\[M001\]: training `huge` needs about/);
    expect(r.stdout).toMatch(/huge\.yaml: ok \(seq2seq, 7 nodes; 1 warning\)/);
    const j = seqloom(['validate', 'huge.yaml', '--json'], root);
    const diags = JSON.parse(j.stdout) as { code: string; severity: string; path: string }[];
    expect(diags.map((d) => [d.code, d.severity, d.path])).toEqual([['M001', 'warning', '/graph/decoder/hidden']]);
  });
});
