/**
 * Shared by the reliability tests: the built CLI as a child process (`node bin/seqloom.js`, after
 * `npm run build`), temporary folders, and tiny specs that train in well under a second.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin', 'seqloom.js');
/** CLI tests skip when dist/ has not been built. */
export const BUILT = fs.existsSync(path.join(REPO, 'dist', 'src', 'cli', 'main.js'));

export interface CliResult { code: number; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }

export function seqloom(args: string[], cwd: string, env: Record<string, string> = {}, input?: string): CliResult {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd, encoding: 'utf8', input, timeout: 120_000,
    env: { ...process.env, SEQLOOM_BACKEND: 'wasm', SEQLOOM_DEBUG: '', ...env },
  });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - t0 };
}

/** A failure the user can act on: exit 1, `seqloom: error:` first, no JavaScript stack frames. */
export function expectCleanError(r: CliResult): void {
  expect(r.signal).toBeNull();
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toMatch(/^seqloom: error: /m);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error|Error: |TypeError|RangeError/);
}

export function expectNoStack(r: CliResult): void {
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/internal error|TypeError|RangeError/);
}

/** A temporary folder, removed by `removeTemp`. */
export function makeTemp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `seqloom-${prefix}-`));
}
export function removeTemp(dir: string): void {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

export interface TinySpecOptions {
  name?: string;
  cell?: 'gru' | 'lstm' | 'rnn';
  hidden?: number;
  layers?: number;
  dropout?: number;
  lr?: string;
  clip?: string;
  epochs?: number;
  batch?: number;
  limit?: number;
  maxLen?: number;
  onBadLine?: 'error' | 'skip';
  validFraction?: number;
  seed?: number;
  optimizer?: 'adam' | 'sgd';
}

/** A small encoder–decoder spec (trains on the built-in task in a fraction of a second). */
export function tinySeq2seqSpec(o: TinySpecOptions = {}): string {
  const h = o.hidden ?? 8;
  const layers = o.layers ?? 2;
  const dropout = o.dropout ? `, dropout: ${o.dropout}` : '';
  const cell = o.cell ?? 'gru';
  return `seqloom: 1
name: ${o.name ?? 'tiny-seq2seq'}
task: seq2seq
data:
  format: tsv
  limit: ${o.limit ?? 64}
  preprocess: [lowercase]
  on_bad_line: ${o.onBadLine ?? 'error'}
  valid_fraction: ${o.validFraction ?? 0.1}
  source: { tokenizer: word, min_freq: 1, max_len: ${o.maxLen ?? 6} }
  target: { tokenizer: word, min_freq: 1, max_len: ${o.maxLen ?? 6} }
graph:
  src_emb: { op: embedding, input: source, dim: 8 }
  encoder: { op: recurrent, cell: ${cell}, input: src_emb, hidden: ${h}, layers: ${layers}${dropout} }
  tgt_emb: { op: embedding, input: target, dim: 8 }
  context: { op: repeat, input: encoder.state.top, like: tgt_emb }
  dec_in: { op: concat, inputs: [tgt_emb, context] }
  decoder: { op: recurrent, cell: ${cell}, input: dec_in, hidden: ${h}, layers: ${layers}${dropout}, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
train:
  optimizer: { name: ${o.optimizer ?? 'adam'}, lr: ${o.lr ?? '0.01'} }
  clip_norm: ${o.clip ?? '1.0'}
  epochs: ${o.epochs ?? 1}
  batch_size: ${o.batch ?? 32}
  seed: ${o.seed ?? 3}
decode:
  strategy: greedy
  beam_size: 2
  max_len: ${o.maxLen ?? 6}
`;
}

/** A small character language model. */
export function tinyLmSpec(o: { onBadLine?: 'error' | 'skip'; epochs?: number } = {}): string {
  return `seqloom: 1
name: tiny-lm
task: language-model
data:
  format: text
  preprocess: [lowercase]
  on_bad_line: ${o.onBadLine ?? 'error'}
  valid_fraction: 0.1
  tokens: { tokenizer: char, min_freq: 1 }
  num_steps: 4
  sampling: sequential
graph:
  emb: { op: embedding, input: tokens, dim: 4 }
  rnn: { op: recurrent, cell: gru, input: emb, hidden: 4, layers: 2 }
  logits: { op: dense, input: rnn, units: tokens.vocab }
output: logits
train:
  optimizer: { name: adam, lr: 0.01 }
  epochs: ${o.epochs ?? 1}
  batch_size: 2
  seed: 0
`;
}

/** 1-based line of the first occurrence of `needle` in `text`. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`${needle} not in text`);
  return text.slice(0, at).split('\n').length;
}

/** A CLI process running in the background (signals, locks): its output so far, waits, and its end. */
export interface RunningCli {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr matches (rejects if the process ends first, or after `ms`). */
  waitForStderr(re: RegExp, ms?: number): Promise<void>;
  /** Resolves once `check()` is true (polled every 5 ms; rejects if the process ends first, or after `ms`). */
  waitFor(check: () => boolean, ms?: number): Promise<void>;
  exited: Promise<CliResult>;
}

export function spawnSeqloom(args: string[], cwd: string, env: Record<string, string> = {}): RunningCli {
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd, stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SEQLOOM_BACKEND: 'wasm', SEQLOOM_DEBUG: '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  let ended = false;
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      ended = true;
      resolve({ code: code ?? -1, signal, stdout: out, stderr: err, ms: performance.now() - t0 });
    });
  });
  const waitFor = (check: () => boolean, ms = 60_000) => new Promise<void>((resolve, reject) => {
    const started = performance.now();
    const timer = setInterval(() => {
      if (check()) { clearInterval(timer); resolve(); return; }
      if (ended || performance.now() - started > ms) {
        clearInterval(timer);
        reject(new Error(`${ended ? 'the process ended' : `${ms} ms passed`} before the awaited state; stderr:\n${err}`));
      }
    }, 5);
  });
  return {
    child, stdout: () => out, stderr: () => err, exited, waitFor,
    waitForStderr: (re, ms) => waitFor(() => re.test(err), ms),
  };
}
