/**
 * One training run of the real-result bench (real-result.ts) under a wall budget, and its test BLEU:
 * seqloom through its own CLI (`train --max-time`, keep_best → best/, then `eval best --data
 * test.tsv`), or PyTorch (torch_seq2seq.py, on OpenBLAS at its fastest thread setting, probed) on the
 * same encoded data, its test hypotheses scored with seqloom's BLEU (torch-export.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpecFile } from '../../src/spec/index.js';
import { exportForTorch, scoreIds } from './torch-export.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../../..');
const BIN = path.join(ROOT, 'bin', 'seqloom.js');
const TORCH_SCRIPT = path.join(ROOT, 'bench', 'corpora', 'torch_seq2seq.py');
export const PYTHON = process.env.SEQLOOM_PYTHON ?? '/usr/bin/python3';

export interface RunRow {
  pair: string; model: string; engine: 'seqloom' | 'pytorch'; minutes: number; test_bleu: number; bleu_per_minute: number;
  /** Test pairs the BLEU covers. */
  test_pairs: number;
  steps: number; epochs: number; tokens_per_second: number | null;
  /** Seconds of the whole run: data, training, test decoding. */
  wall_seconds: number;
  config: string;
}

export interface RunInput {
  pair: string; model: string; spec: string; minutes: number;
  /** This pair's working folder, holding train.tsv and test.tsv. */
  work: string;
  /** `auto` (probe torch threads × OPENBLAS_NUM_THREADS ∈ {1,2}²) or `TxB`, e.g. `2x1`. */
  torchThreads: string;
  probeSteps: number;
  quiet: boolean;
}

/** Runs a command to completion, its stderr appended to `log` (and echoed unless quiet); resolves with its stdout. */
function run(cmd: string, args: string[], log: string, quiet: boolean, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const logStream = fs.createWriteStream(log, { flags: 'a' });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => { logStream.write(b); if (!quiet) process.stderr.write(b); });
    child.on('error', reject);
    child.on('close', (code) => {
      logStream.end();
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} exited ${code}; see ${log}`));
    });
  });
}

interface Meta {
  step: number; epoch: number; backend: string;
  epoch_progress: { batch: number; tokens: number; seconds: number } | null;
  history: { tokens_per_second: number; seconds: number }[];
}

/** The seqloom command lines of one run (also what --dry-run prints). */
export function seqloomCommands(r: RunInput): { out: string; train: string[]; evalArgs: (ckpt: string) => string[] } {
  const out = path.join(r.work, `${r.model}-seqloom`);
  return {
    out,
    train: [BIN, 'train', r.spec, '--data', path.join(r.work, 'train.tsv'), '--out', out, '--max-time', String(r.minutes), '--show', '0'],
    evalArgs: (ckpt) => [BIN, 'eval', ckpt, '--data', path.join(r.work, 'test.tsv'), '--json'],
  };
}

export async function seqloomRun(r: RunInput): Promise<RunRow> {
  const log = path.join(r.work, `${r.model}-seqloom.log`);
  const c = seqloomCommands(r);
  fs.rmSync(c.out, { recursive: true, force: true });
  const t0 = performance.now();
  await run(process.execPath, c.train, log, r.quiet);
  const best = fs.existsSync(path.join(c.out, 'best', 'meta.json')) ? path.join(c.out, 'best') : c.out;
  const ev = JSON.parse(await run(process.execPath, c.evalArgs(best), log, r.quiet)) as { bleu: { score: number }; sentences: number };
  const wall = (performance.now() - t0) / 1000;
  const meta = JSON.parse(fs.readFileSync(path.join(c.out, 'meta.json'), 'utf8')) as Meta;
  const bestStep = (JSON.parse(fs.readFileSync(path.join(best, 'meta.json'), 'utf8')) as Meta).step;
  // Tokens per second over the whole run: finished epochs plus the one in progress when the budget ran out.
  const tokens = meta.history.reduce((n, h) => n + h.tokens_per_second * h.seconds, 0) + (meta.epoch_progress?.tokens ?? 0);
  const seconds = meta.history.reduce((n, h) => n + h.seconds, 0) + (meta.epoch_progress?.seconds ?? 0);
  const batches = meta.epoch_progress?.batch ?? 0;
  return {
    pair: r.pair, model: r.model, engine: 'seqloom', minutes: r.minutes, test_bleu: ev.bleu.score, bleu_per_minute: ev.bleu.score / r.minutes, test_pairs: ev.sentences,
    steps: meta.step, epochs: meta.epoch, tokens_per_second: seconds > 0 ? tokens / seconds : null, wall_seconds: wall,
    config: `${meta.backend} backend; ${meta.epoch} epoch(s) + ${batches} batches; ${best === c.out ? 'last weights (no best/)' : `best/ at step ${bestStep}`}`,
  };
}

interface ThreadSetting { threads: number; openblas: number; note: string }

/** PyTorch's fastest thread setting on this machine for this model: a short probe of each, or the one given. */
function torchThreads(r: RunInput, manifest: string): ThreadSetting {
  const given = /^(\d+)x(\d+)$/.exec(r.torchThreads);
  if (given) return { threads: Number(given[1]), openblas: Number(given[2]), note: 'given' };
  if (r.torchThreads !== 'auto') throw new Error(`--torch-threads: auto or TxB (torch threads x OpenBLAS threads), got ${r.torchThreads}`);
  let best: (ThreadSetting & { tps: number }) | null = null;
  for (const threads of [1, 2]) {
    for (const openblas of [1, 2]) {
      const env = { ...process.env, OPENBLAS_NUM_THREADS: String(openblas), OMP_NUM_THREADS: String(threads) };
      const p = spawnSync(PYTHON, [TORCH_SCRIPT, '--data', manifest, '--threads', String(threads), '--probe-steps', String(r.probeSteps)], { env, encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`PyTorch probe failed: ${p.stderr}`);
      const out = JSON.parse(p.stdout.trim().split('\n').at(-1)!) as { tokens_per_second: number; blas: string[] };
      if (!r.quiet) process.stderr.write(`torch probe ${r.pair}-${r.model}: ${threads} torch thread(s), OPENBLAS_NUM_THREADS ${openblas}: ${out.tokens_per_second.toFixed(0)} tokens/s\n`);
      if (!best || out.tokens_per_second > best.tps) best = { threads, openblas, tps: out.tokens_per_second, note: `fastest of 4 probed` };
    }
  }
  return best!;
}

export async function torchRun(r: RunInput): Promise<RunRow> {
  const dir = path.join(r.work, `${r.model}-torch`);
  const log = path.join(r.work, `${r.model}-torch.log`);
  const loaded = loadSpecFile(r.spec);
  if (loaded.value === null) throw new Error(`${r.spec}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  const t0 = performance.now();
  const exp = exportForTorch(loaded.value, path.join(r.work, 'train.tsv'), path.join(r.work, 'test.tsv'), dir);
  const setting = torchThreads(r, exp.manifest);
  const env = { ...process.env, OPENBLAS_NUM_THREADS: String(setting.openblas), OMP_NUM_THREADS: String(setting.threads) };
  const resultFile = path.join(dir, 'result.json');
  await run(PYTHON, [TORCH_SCRIPT, '--data', exp.manifest, '--out', resultFile, '--minutes', String(r.minutes), '--threads', String(setting.threads)], log, r.quiet, env);
  const wall = (performance.now() - t0) / 1000;
  const out = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as {
    steps: number; epochs: number; tokens_per_second: number; test_hyps: number[][]; blas: string[]; torch: string; best_step: number; keep_best: string;
  };
  const blas = out.blas.length > 0 ? out.blas.join(', ') : 'no BLAS library mapped';
  if (!out.blas.some((b) => /openblas/i.test(b))) process.stderr.write(`warning: PyTorch is not on OpenBLAS (${blas})\n`);
  const bleu = scoreIds(out.test_hyps, exp.test, exp.tgtVocab);
  return {
    pair: r.pair, model: r.model, engine: 'pytorch', minutes: r.minutes, test_bleu: bleu, bleu_per_minute: bleu / r.minutes, test_pairs: out.test_hyps.length,
    steps: out.steps, epochs: out.epochs, tokens_per_second: out.tokens_per_second, wall_seconds: wall,
    config: `torch ${out.torch}, ${setting.threads} thread(s), OPENBLAS_NUM_THREADS ${setting.openblas} (${setting.note}; ${blas}); `
      + `${out.epochs.toFixed(2)} epochs; ${out.best_step > 0 ? `best ${out.keep_best} at step ${out.best_step}` : 'last weights'}`,
  };
}
