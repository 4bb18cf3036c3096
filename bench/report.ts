/**
 * The benchmark's JSON document and its short table. Headline keys (ratios are seqloom speed /
 * other speed, > 1 = seqloom faster):
 *   train_vs_layers.{wasm,cpu}.{small,large}, d2l_vs_pytorch, vs_pytorch.{d2l,large_gru,large_lstm,
 *   bahdanau}, translate_s, beam_batched_vs_loop,
 *   greedy_batched_vs_loop, generate_s.{spec}, peak_rss_mb
 * `targets` says which of the issue's targets the run met; `details` keeps every measurement.
 */
import { execFileSync } from 'node:child_process';
import type { D2lResult } from './sections/d2l-vs-pytorch.js';
import type { GenerateTimes } from './sections/generate.js';
import type { LeverResult } from './sections/levers.js';
import type { ThroughputResult } from './sections/train-vs-layers.js';
import { renderVsPytorch, type VsPytorchResult } from './sections/vs-pytorch.js';

export interface BenchReport {
  train_vs_layers: Record<string, Record<string, number>>;
  d2l_vs_pytorch: number | null;
  /** Section `pytorch`: seqloom speed ÷ PyTorch's at its fastest configuration, same batches. */
  vs_pytorch: Record<'d2l' | 'large_gru' | 'large_lstm' | 'bahdanau', number | null>;
  /** Translating two sentences from a fresh process, seconds (median). */
  translate_s: number | null;
  beam_batched_vs_loop: number | null;
  greedy_batched_vs_loop: number | null;
  generate_s: Record<string, number>;
  peak_rss_mb: number | null;
  /** Training-step speedup of each lever (off time / on time), wasm, by size. */
  levers: Record<string, Record<string, number>>;
  targets: Record<string, { target: string; value: number | null; met: boolean | null }>;
  meta: { mode: 'full' | 'quick'; commit: string | null; node: string; cpus: number; loadavg: [number, number]; seconds: number; date: string };
  details: {
    train: ThroughputResult[];
    d2l: D2lResult | null;
    generate: GenerateTimes | null;
    levers: LeverResult[];
    pytorch: VsPytorchResult | null;
  };
}

export interface ReportInput {
  mode: 'full' | 'quick';
  train: ThroughputResult[];
  d2l: D2lResult | null;
  generate: GenerateTimes | null;
  levers: LeverResult[];
  pytorch: VsPytorchResult | null;
  seconds: number;
  load: [number, number];
  cpus: number;
}

function commit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

function target(description: string, value: number | null, met: (v: number) => boolean) {
  return { target: description, value, met: value === null ? null : met(value) };
}

export function buildReport(input: ReportInput): BenchReport {
  const trainVsLayers: Record<string, Record<string, number>> = {};
  for (const r of input.train.filter((t) => t.cell === 'gru')) (trainVsLayers[r.backend] ??= {})[r.size] = r.ratio;
  const generateS = input.generate?.inProcess ?? {};
  const d2l = input.d2l;
  const beam = d2l?.decode.beam.ratio ?? null;
  const wasm = trainVsLayers['wasm'];
  const levers: Record<string, Record<string, number>> = {};
  for (const l of input.levers) (levers[l.lever] ??= {})[l.size] = l.ratio;
  const p = input.pytorch;
  const vs = {
    d2l: p?.d2l?.ratio ?? null,
    large_gru: p?.large.find((l) => l.name === 'large gru')?.ratio ?? null,
    large_lstm: p?.large.find((l) => l.name === 'large lstm')?.ratio ?? null,
    bahdanau: p?.bahdanau?.ratio ?? null,
  };
  const translateS = p?.d2l?.translate.seconds ?? null;
  const maxGenerate = Object.values(generateS).length > 0 ? Math.max(...Object.values(generateS)) : null;
  return {
    train_vs_layers: trainVsLayers,
    d2l_vs_pytorch: d2l?.ratio ?? null,
    vs_pytorch: vs,
    translate_s: translateS,
    beam_batched_vs_loop: beam,
    greedy_batched_vs_loop: d2l?.decode.greedy.ratio ?? null,
    generate_s: generateS,
    peak_rss_mb: d2l?.seqloom.peakRssMb ?? null,
    levers,
    targets: {
      train_small_wasm: target('generated training ≥ 2× tf.layers (wasm, small)', wasm?.['small'] ?? null, (v) => v >= 2),
      train_large_wasm: target('generated training ≥ 2× tf.layers (wasm, large)', wasm?.['large'] ?? null, (v) => v >= 2),
      d2l_vs_pytorch: target('d2l fra-eng 600 × 300: seqloom wall ≤ PyTorch (ratio ≥ 1, fastest thread count)', d2l?.ratio ?? null, (v) => v >= 1),
      pytorch_d2l: target('d2l size, whole command: ≥ 1.3× PyTorch on OpenBLAS, fastest configuration', vs.d2l, (v) => v >= 1.3),
      pytorch_large_gru: target('large GRU step: ≥ 1.5× PyTorch', vs.large_gru, (v) => v >= 1.5),
      pytorch_large_lstm: target('large LSTM step: ≥ 1.5× PyTorch', vs.large_lstm, (v) => v >= 1.5),
      pytorch_bahdanau: target('Bahdanau 256 on the whole fra-eng file, target tokens/s: ≥ 1.5× PyTorch', vs.bahdanau, (v) => v >= 1.5),
      translate: target('translating two sentences from a fresh process < 1 s', translateS, (v) => v < 1),
      beam_batched: target('batched beam ≥ 10× one-at-a-time (64 sentences, beam 4)', beam, (v) => v >= 10),
      generate: target('generate < 1 s per spec (slowest spec, in-process)', maxGenerate, (v) => v < 1),
    },
    meta: {
      mode: input.mode, commit: commit(), node: process.version, cpus: input.cpus, loadavg: input.load,
      seconds: Math.round(input.seconds), date: new Date().toISOString(),
    },
    details: { train: input.train, d2l, generate: input.generate, levers: input.levers, pytorch: p },
  };
}

function fmt(v: number | null | undefined, unit = ''): string {
  return v === null || v === undefined ? '—' : `${v}${unit}`;
}

/** The short table on stdout. */
export function renderTable(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`seqloom bench (${r.meta.mode}, ${r.meta.seconds}s, ${r.meta.cpus} cpus, load ${r.meta.loadavg.map((x) => x.toFixed(1)).join('→')})`);
  lines.push('');
  lines.push('training throughput, target tokens/s (seqloom vs tf.layers, interleaved medians)');
  for (const t of r.details.train) {
    lines.push(`  ${t.backend.padEnd(5)} ${t.cell.padEnd(5)} ${t.size.padEnd(6)} b${String(t.batch).padEnd(3)} `
      + `${String(t.seqloomTokensPerSecond).padStart(7)} vs ${String(t.layersTokensPerSecond).padStart(7)}   ${t.ratio}×`);
  }
  const d = r.details.d2l;
  if (d !== null) {
    lines.push('');
    lines.push(`d2l fra-eng, 300 epochs${d.extrapolated ? ` (scaled from ${d.epochsRun})` : ''}: seqloom ${d.seqloom.seconds300}s (${d.seqloom.backend})`
      + (d.torch === null ? `; PyTorch: ${d.skipped}` : Object.entries(d.torch).map(([k, s]) => `, PyTorch ${k} thread(s) ${s.seconds300}s (${d.ratios[k]}×)`).join('')));
    for (const c of [d.decode.beam, d.decode.greedy]) {
      lines.push(`decode ${c.strategy.padEnd(6)} ${c.sentences} sentences${c.strategy === 'beam' ? `, beam ${c.beamSize}` : ''}: `
        + `batched ${c.batchedSeconds}s vs one at a time ${c.loopSeconds}s → ${c.ratio}×${c.identical ? '' : ' (RESULTS DIFFER)'}`);
    }
    lines.push(`peak RSS while training: ${d.seqloom.peakRssMb} MB`);
  }
  if (r.details.pytorch !== null) lines.push('', ...renderVsPytorch(r.details.pytorch));
  const g = r.details.generate;
  if (g !== null) {
    lines.push('');
    lines.push(`generate, seconds per spec (in-process${g.cli !== null ? ' / fresh CLI process' : ''}; loading the generator: ${g.importSeconds}s)`);
    for (const [spec, s] of Object.entries(g.inProcess)) lines.push(`  ${spec.padEnd(36)} ${s}${g.cli !== null ? ` / ${fmt(g.cli[spec])}` : ''}`);
  }
  if (r.details.levers.length > 0) {
    lines.push('');
    lines.push('levers (training step off/on, wasm, interleaved)');
    for (const l of r.details.levers) lines.push(`  ${l.lever.padEnd(11)} ${l.size.padEnd(6)} ${l.offSeconds}s / ${l.onSeconds}s → ${l.ratio}×`);
  }
  lines.push('');
  lines.push('targets');
  for (const t of Object.values(r.targets)) {
    lines.push(`  ${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.target}: ${fmt(t.value)}`);
  }
  return lines.join('\n') + '\n';
}
