/**
 * Section 2 (and the decoding and memory figures, measured on the model it trains): the d2l fra-eng
 * run — 600 pairs, batch 64, 2-layer GRU 32 wide, Adam 0.005, clip 1 — trained by seqloom
 * (bench/d2l-worker.ts: the generated module through src/train's loop) and by the PyTorch d2l 0.17
 * code (bench/baselines/d2l_seq2seq.py) at 1 and 2 threads. Every side is a worker process; they
 * train in turns of `chunkEpochs` epochs (the order rotating each turn), so all see the same machine
 * load. Wall time per side is the sum of its turns; with fewer than 300 epochs run (quick mode) it is
 * scaled to 300.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LineWorker } from '../line-worker.js';
import { round } from '../measure.js';
import type { DecodeComparison } from './decoding.js';

export const D2L_EPOCHS = 300;
const PYTHON = '/usr/bin/python3';

export interface D2lPlan {
  chunkEpochs: number;
  chunks: number;
  torch: boolean;
  torchThreads: number[];
  decode: { rounds: number; warmup: number; sentences: number };
  backend: string;
}

export interface D2lSide {
  /** Seconds for the epochs run, and scaled to 300 epochs. */
  seconds: number;
  seconds300: number;
  /** Last epoch's mean loss per target token (seqloom: masked mean; d2l: its sum of per-sentence means / tokens). */
  loss: number | null;
  turns: number[];
}

export interface D2lResult {
  data: string;
  epochsRun: number;
  extrapolated: boolean;
  seqloom: D2lSide & { backend: string; peakRssMb: number };
  /** By thread count; null when the PyTorch side was skipped. */
  torch: Record<string, D2lSide> | null;
  /** torch wall / seqloom wall per thread count, and against the fastest torch configuration. */
  ratios: Record<string, number>;
  ratio: number | null;
  skipped: string | null;
  decode: { beam: DecodeComparison; greedy: DecodeComparison };
}

/** Why the PyTorch side cannot run here, or null when it can. */
export function torchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'pipe' });
    return null;
  } catch {
    return `${PYTHON} has no torch (Debian: apt-get install python3-torch)`;
  }
}

function side(turns: number[], epochsRun: number, loss: number | null): D2lSide {
  const seconds = turns.reduce((a, b) => a + b, 0);
  return { seconds: round(seconds, 2), seconds300: round(seconds * D2L_EPOCHS / epochsRun, 1), loss: loss === null ? null : round(loss, 4), turns: turns.map((t) => round(t, 3)) };
}

export async function runD2lComparison(
  packageRoot: string, dataFile: string | null, plan: D2lPlan,
  onTurn?: (done: number, total: number) => void,
): Promise<D2lResult> {
  let skipped: string | null = null;
  if (dataFile === null) skipped = 'fra-eng data not found: seqloom trains the built-in task, PyTorch side skipped';
  else if (!plan.torch) skipped = 'PyTorch side skipped (--no-torch or --quick)';
  else skipped = torchUnavailable();
  const workers: LineWorker[] = [];
  const seqloom = new LineWorker('seqloom', process.execPath, [
    join(packageRoot, 'dist', 'bench', 'd2l-worker.js'), '--spec', join(packageRoot, 'models', 'd2l-seq2seq-gru.yaml'),
    '--backend', plan.backend, ...(dataFile === null ? [] : ['--data', dataFile]),
  ]);
  workers.push(seqloom);
  if (skipped === null) {
    for (const threads of plan.torchThreads) {
      workers.push(new LineWorker(`pytorch-${threads}`, PYTHON, [
        join(packageRoot, 'bench', 'baselines', 'd2l_seq2seq.py'), '--data', dataFile!, '--threads', String(threads),
      ], { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) }));
    }
  }
  try {
    const ready = await Promise.all(workers.map((w) => w.ready()));
    const turns = workers.map(() => [] as number[]);
    const losses = workers.map(() => null as number | null);
    let rss = 0;
    for (let c = 0; c < plan.chunks; c++) {
      for (let j = 0; j < workers.length; j++) {
        const i = (c + j) % workers.length;
        const answer = await workers[i]!.send(`train ${plan.chunkEpochs}`);
        turns[i]!.push(answer.seconds as number);
        losses[i] = (answer.loss as number | null) ?? null;
        if (i === 0) rss = answer.peakRssMb as number;
      }
      onTurn?.(c + 1, plan.chunks);
    }
    const epochsRun = plan.chunks * plan.chunkEpochs;
    const ours = side(turns[0]!, epochsRun, losses[0]!);
    const decode = await seqloom.send(`decode ${plan.decode.rounds} ${plan.decode.warmup} ${plan.decode.sentences}`) as unknown as D2lResult['decode'];
    let torch: Record<string, D2lSide> | null = null;
    const ratios: Record<string, number> = {};
    if (skipped === null) {
      torch = {};
      plan.torchThreads.forEach((threads, k) => {
        const s = side(turns[k + 1]!, epochsRun, losses[k + 1]!);
        torch![String(threads)] = s;
        ratios[String(threads)] = round(s.seconds / ours.seconds, 2);
      });
    }
    const best = Object.values(ratios);
    return {
      data: dataFile ?? 'built-in numbers task',
      epochsRun, extrapolated: epochsRun !== D2L_EPOCHS,
      seqloom: { ...ours, backend: String(ready[0]!.backend), peakRssMb: rss },
      torch, ratios, ratio: best.length > 0 ? Math.min(...best) : null, skipped, decode,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close().catch(() => undefined)));
  }
}
