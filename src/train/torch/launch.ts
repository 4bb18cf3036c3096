/**
 * Starting the torch engine's training processes: torchrun (`python -m seqloom_torch.torchrun`:
 * PyTorch's torch.distributed.run with a fix for torch 1.13 on Python 3.11) with DistributedDataParallel workers (`-m seqloom_torch.train CONFIG.json`), or one plain process when
 * one process on one machine is asked for. Rank 0's `@seqloom {…}` lines on stdout come back as
 * events, in order; stderr is kept (torchrun and worker tracebacks never reach the user) and turned
 * into one error when the run fails: the worker's `seqloom-torch: error:` line, or stderr's tail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pythonEnv, pythonFailure, torchPython } from './python.js';

/** torchrun's multi-node flags, as `seqloom train` takes them (names as torchrun spells them). */
export interface Rendezvous {
  nnodes?: string;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
  rdzvBackend?: string;
  rdzvEndpoint?: string;
  rdzvId?: string;
}

export interface LaunchOptions {
  nproc: number;
  rendezvous: Rendezvous;
  config: string;
  threads: number;
  /** OPENBLAS_NUM_THREADS of each process (default 1; the DDP bench also tries more for one process). */
  blasThreads?: number;
  onEvent(event: Record<string, unknown>): void;
}

export function isMultiNode(r: Rendezvous): boolean {
  return Object.values(r).some((v) => v !== undefined);
}

/** The command line: torchrun for several processes or machines, else the worker alone. */
export function launchArgs(o: Pick<LaunchOptions, 'nproc' | 'rendezvous' | 'config'>): string[] {
  const worker = ['-m', 'seqloom_torch.train', o.config];
  const r = o.rendezvous;
  if (o.nproc === 1 && !isMultiNode(r)) return worker;
  const args = ['-m', 'seqloom_torch.torchrun', `--nproc_per_node=${o.nproc}`];
  if (!isMultiNode(r)) args.push('--standalone');
  if (r.nnodes !== undefined) args.push(`--nnodes=${r.nnodes}`);
  if (r.nodeRank !== undefined) args.push(`--node_rank=${r.nodeRank}`);
  if (r.masterAddr !== undefined) args.push(`--master_addr=${r.masterAddr}`);
  if (r.masterPort !== undefined) args.push(`--master_port=${r.masterPort}`);
  if (r.rdzvBackend !== undefined) args.push(`--rdzv_backend=${r.rdzvBackend}`);
  if (r.rdzvEndpoint !== undefined) args.push(`--rdzv_endpoint=${r.rdzvEndpoint}`);
  if (r.rdzvId !== undefined) args.push(`--rdzv_id=${r.rdzvId}`);
  return [...args, ...worker];
}

export interface Launched { child: ChildProcess; done: Promise<void> }

/** Starts the run; `done` resolves when every process exited cleanly, else rejects with the error to show. */
export function launchTraining(o: LaunchOptions): Launched {
  const { python } = torchPython();
  // One BLAS thread under torch's own threads: OpenBLAS's pool on top of torch's oversubscribes the
  // cores (BACKEND-NOTES: 2 × 2 threads ran the d2l run ~3× slower than 1 × 1).
  const env = pythonEnv({ OMP_NUM_THREADS: String(o.threads), OPENBLAS_NUM_THREADS: String(o.blasThreads ?? 1) });
  const child = spawn(python, launchArgs(o), { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  let kept = 0;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    if (process.env['SEQLOOM_DEBUG']) process.stderr.write(chunk);
    stderr.push(chunk);
    kept += chunk.length;
    while (kept > 1 << 20 && stderr.length > 1) kept -= stderr.shift()!.length;
  });
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    if (line.startsWith('@seqloom ')) o.onEvent(JSON.parse(line.slice('@seqloom '.length)) as Record<string, unknown>);
    else if (line.trim() !== '') process.stderr.write(`${line}\n`);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      lines.close();
      if (code === 0) resolve();
      else reject(Object.assign(pythonFailure(stderr.join(''), code), { signal }));
    });
  });
  return { child, done };
}
