/**
 * The generated PyTorch module against the generated TypeScript module, for every example spec
 * (models/) and every codegen test spec (attention additive and dot, bidirectional, LSTM, relu RNN,
 * dense activations, dropout, `.prev` loops, hostile names, `weights:` prefixes): the same weights
 * (seqloom's initialization, exported as a checkpoint) and the same ids give the same teacher-forced
 * logits within 1e-5, and greedy, beam (n-best) and exhaustive search the same hypotheses with
 * scores within 1e-5. One Python process answers every case (python/seqloom_torch/run.py).
 */
import { spawnSync } from 'node:child_process';
import fs, { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../src/runtime/backend/index.js';
import { writeSafetensors } from '../../src/runtime/node/index.js';
import { loadGeneratedModule } from '../../src/compile/index.js';
import { validateModelInput } from '../../src/train/input-json.js';
import { decodeInput, forwardLogits } from '../../src/train/forward.js';
import { pytorchModuleFile } from '../../src/train/torch/module-file.js';
import { runPython } from '../../src/train/torch/python.js';
import type { DecodeSettings } from '../../src/train/search.js';
import type { TensorDict } from '../../src/runtime/module.js';
import { describeWithSystem, systemTorch } from '../helpers/system.js';
import { REPO, SPEC_SETS, yamlFiles } from '../codegen/helpers.js';

// The example and codegen test specs, and this folder's (the dense activations and relu-RNN
// encoder–decoder the others leave out, and the trainer tests' model).
const SPECS = [...SPEC_SETS.map((s) => s.specs), path.join(REPO, 'test/torch/specs')].flatMap((dir) => yamlFiles(dir));
const TOLERANCE = 1e-5;

interface Case {
  name: string;
  task: 'seq2seq' | 'language-model';
  tsLogits: number[][][];
  tsDecoded: Array<{ settings: DecodeSettings; results: Array<Array<{ tokens: number[]; score: number }>> }>;
  request: Record<string, unknown>;
}

/** A small deterministic generator (tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Weights scaled up, so the decoding distributions are peaked and no near-tie decides a search. */
function scaled(tensors: TensorDict, by: number): TensorDict {
  return Object.fromEntries(Object.entries(tensors).map(([n, t]) => [n, { shape: t.shape, data: t.data.map((x) => x * by) }]));
}

const SETTINGS: DecodeSettings[] = [
  { strategy: 'greedy', beamSize: 1, maxLen: 8, lengthPenalty: 0, nBest: 1 },
  { strategy: 'beam', beamSize: 3, maxLen: 8, lengthPenalty: 0.75, nBest: 2 },
  { strategy: 'beam', beamSize: 1, maxLen: 8, lengthPenalty: 0, nBest: 1 },
  { strategy: 'exhaustive', beamSize: 1, maxLen: 3, lengthPenalty: 0.5, nBest: 3 },
];

describeWithSystem(systemTorch(), 'generated PyTorch modules equal the TypeScript ones', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-parity-'));
  const cases: Case[] = [];
  let answers: Array<{ logits?: number[][][]; results?: Array<Array<{ tokens: number[]; score: number }>> }> = [];

  beforeAll(async () => {
    await useBackend('cpu');
    for (const spec of SPECS) {
      const { spec: s, ModuleClass } = await loadGeneratedModule(spec);
      const rnd = lcg(cases.length + 1);
      const name = path.relative(REPO, spec);
      const weightsFile = path.join(dir, `${cases.length}.safetensors`);
      const vocab = s.task === 'seq2seq' ? { source: 13, target: 9 } : { tokens: 10 };
      const json: Record<string, unknown> = s.task === 'seq2seq'
        ? {
          vocab, pad: 0, bos: 2, eos: 3,
          src: Array.from({ length: 4 }, () => Array.from({ length: 6 }, () => 4 + Math.floor(rnd() * 9))),
          src_len: [6, 3, 1, 5],
          tgt_in: Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => 2 + Math.floor(rnd() * 7))),
        }
        : { vocab, tokens: Array.from({ length: 3 }, () => Array.from({ length: 7 }, () => Math.floor(rnd() * 10))) };
      const input = validateModelInput(json, { file: name, task: s.task, needTarget: true });
      const seeded = new ModuleClass({ vocab, seed: cases.length });
      const weights = scaled(seeded.exportTensors(), 3);
      seeded.dispose();
      writeSafetensors(weightsFile, weights);
      const module = new ModuleClass({ vocab, seed: 0 });
      module.importTensors(weights);
      try {
        const tsDecoded = s.task === 'seq2seq'
          ? SETTINGS.map((settings) => ({ settings, results: decodeInput(module, input, settings) }))
          : [];
        cases.push({
          name, task: s.task, tsLogits: forwardLogits(module, input), tsDecoded,
          request: { module: await pytorchModuleFile(s), weights: weightsFile, vocab, input: json, threads: 1 },
        });
      } finally {
        module.dispose();
      }
    }
    const requests = cases.flatMap((c) => [
      { ...c.request, mode: 'forward' },
      ...c.tsDecoded.map(({ settings: d }) => ({
        ...c.request, mode: 'decode',
        decode: { strategy: d.strategy, beam_size: d.beamSize, max_len: d.maxLen, length_penalty: d.lengthPenalty, n_best: d.nBest },
      })),
    ]);
    answers = JSON.parse(await runPython('seqloom_torch.run', JSON.stringify(requests))) as typeof answers;
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('covers every example and codegen test spec, every op and every dense activation', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(SPECS.map((s) => path.relative(REPO, s)).sort());
    expect(cases.filter((c) => c.task === 'seq2seq').length).toBeGreaterThanOrEqual(10);
    const text = SPECS.map((s) => fs.readFileSync(s, 'utf8')).join('\n');
    for (const op of ['embedding', 'recurrent', 'dense', 'concat', 'repeat', 'dropout', 'attention']) expect(text).toContain(`op: ${op}`);
    for (const a of ['none', 'tanh', 'relu', 'sigmoid']) expect(text).toContain(`activation: ${a}`);
    for (const c of ['cell: rnn, nonlinearity: relu', 'cell: lstm', 'cell: gru', 'bidirectional: true', 'kind: additive', 'kind: dot']) expect(text).toContain(c);
  });

  it('teacher-forced logits agree within 1e-5 for every spec', () => {
    let at = 0;
    for (const c of cases) {
      const torch = answers[at]!.logits!;
      at += 1 + c.tsDecoded.length;
      const flatTs = c.tsLogits.flat(2);
      const flatTorch = torch.flat(2);
      expect(flatTorch.length, c.name).toBe(flatTs.length);
      const worst = Math.max(...flatTs.map((x, i) => Math.abs(x - flatTorch[i]!)));
      expect(worst, `${c.name}: max |tfjs − torch|`).toBeLessThan(TOLERANCE);
      expect(Math.max(...flatTs.map(Math.abs)), `${c.name}: logits are not all ~0`).toBeGreaterThan(0.1);
    }
  });

  it.skipIf(!fs.existsSync(path.join(REPO, 'dist/src/cli/main.js')))('forward and decode --engine torch print what the tfjs engine prints (the CLI)', () => {
    // The tfjs side is this file's in-process tfjs results for the same weights and input (what
    // forward/decode print with the tfjs engine): two CLI runs instead of four.
    const c = cases.find((x) => x.name.endsWith('bahdanau.yaml'))!;
    const input = path.join(dir, 'in.json');
    fs.writeFileSync(input, JSON.stringify(c.request['input']));
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin/seqloom.js'), ...args, path.join(REPO, c.name),
        '--weights', c.request['weights'] as string, '--input', input, '--engine', 'torch'], { encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { logits?: number[][][]; results?: Array<Array<{ tokens: number[]; score: number }>> };
    };
    const torch = cli(['forward']).logits!.flat(2);
    const tf = c.tsLogits.flat(2);
    expect(torch.length).toBe(tf.length);
    expect(Math.max(...tf.map((x, i) => Math.abs(x - torch[i]!)))).toBeLessThan(TOLERANCE);
    const beam = c.tsDecoded.find(({ settings: d }) => d.strategy === 'beam' && d.beamSize === 3)!;
    const { beamSize, maxLen, lengthPenalty, nBest } = beam.settings;
    const decoded = cli(['decode', '--strategy', 'beam', '--beam-size', String(beamSize), '--max-len', String(maxLen),
      '--length-penalty', String(lengthPenalty), '--n-best', String(nBest)]);
    expect(decoded.results!.map((l) => l.map((h) => h.tokens))).toEqual(beam.results.map((l) => l.map((h) => h.tokens)));
  }, 300_000);

  it('greedy, beam and exhaustive search find the same hypotheses, scores within 1e-5', () => {
    let at = 0;
    for (const c of cases) {
      at += 1;
      for (const { settings, results } of c.tsDecoded) {
        const torch = answers[at++]!.results!;
        const what = `${c.name} ${settings.strategy} k=${settings.beamSize} n=${settings.nBest}`;
        expect(torch.map((list) => list.map((h) => h.tokens)), what).toEqual(results.map((list) => list.map((h) => h.tokens)));
        results.forEach((list, i) => list.forEach((h, j) => {
          expect(Math.abs(h.score - torch[i]![j]!.score), what).toBeLessThan(TOLERANCE);
        }));
      }
    }
  });
});
