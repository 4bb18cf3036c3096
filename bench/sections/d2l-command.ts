/**
 * The d2l size as a user meets it: the whole command, process start to exit, on the 600 fra-eng
 * pairs for 300 epochs —
 *   seqloom:  seqloom train models/d2l-seq2seq-gru.yaml --data fra.txt --out DIR --overwrite
 *   PyTorch:  python3 bench/baselines/d2l_seq2seq.py --data fra.txt --epochs 300   (d2l 0.17's code)
 * PyTorch runs at its fastest thread configuration: a probe runs every configuration for
 * `probeEpochs` epochs (whole commands, in turn) and keeps the fastest. Then the two commands run
 * A B B A … (`reps` each); ratio = PyTorch's summed wall time ÷ seqloom's (> 1: seqloom is faster).
 *
 * Then translating two sentences from a fresh process with the checkpoint just trained:
 *   seqloom translate DIR "go ." "i lost ."     (median wall time of `translateRuns`, with and
 * without the system BLAS, the start-up of the whole CLI included).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round } from '../measure.js';
import { PYTHON, TORCH_CONFIGS, checkBlas, configName, torchEnv, torchScript, type TorchConfig } from '../torch-side.js';

export interface D2lCommandPlan { epochs: number; probeEpochs: number; reps: number; translateRuns: number }

export interface D2lCommandResult {
  epochs: number;
  torchBlas: string;
  /** Probe: seconds per whole command at probeEpochs, by PyTorch configuration. */
  probe: Record<string, number>;
  best: string;
  seqloomSeconds: number[];
  torchSeconds: number[];
  ratio: number;
  translate: { sentences: string[]; output: string; seconds: number; secondsNoBlas: number; runs: number };
}

interface Ran { seconds: number; stdout: string; stderr: string }

function timedRun(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-8000); });
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code === 0) resolve({ seconds, stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export async function runD2lCommand(
  packageRoot: string, dataFile: string, plan: D2lCommandPlan, onStep?: (done: number, total: number) => void,
): Promise<D2lCommandResult> {
  const dir = mkdtempSync(join(tmpdir(), 'seqloom-bench-d2l-'));
  const out = join(dir, 'run');
  const bin = join(packageRoot, 'bin', 'seqloom.js');
  const seqloomEnv = { ...process.env, SEQLOOM_BACKEND: 'wasm' };
  const seqloom = (epochs: number) => timedRun(process.execPath, [bin, 'train', join(packageRoot, 'models', 'd2l-seq2seq-gru.yaml'),
    '--data', dataFile, '--out', out, '--overwrite', '--epochs', String(epochs), '--show', '0', '--quiet'], seqloomEnv, packageRoot);
  const torch = (c: TorchConfig, epochs: number) => timedRun(PYTHON, [torchScript(packageRoot), '--data', dataFile,
    '--threads', String(c.torchThreads), '--epochs', String(epochs)], torchEnv(c), packageRoot);
  const total = TORCH_CONFIGS.length + 2 * plan.reps + 2;
  let done = 0;
  const tick = () => onStep?.(++done, total);
  try {
    const probe: Record<string, number> = {};
    let best = TORCH_CONFIGS[0]!, bestSeconds = Infinity, torchBlas = '';
    for (const c of TORCH_CONFIGS) {
      const r = await torch(c, plan.probeEpochs);
      torchBlas = checkBlas(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>);
      probe[configName(c)] = round(r.seconds, 2);
      if (r.seconds < bestSeconds) { best = c; bestSeconds = r.seconds; }
      tick();
    }
    const seqloomSeconds: number[] = [], torchSeconds: number[] = [];
    for (let i = 0; i < plan.reps; i++) {
      const order = i % 2 === 0 ? ['seqloom', 'torch'] : ['torch', 'seqloom'];
      for (const side of order) {
        if (side === 'seqloom') seqloomSeconds.push(round((await seqloom(plan.epochs)).seconds, 2));
        else torchSeconds.push(round((await torch(best, plan.epochs)).seconds, 2));
        tick();
      }
    }
    const sentences = ['go .', 'i lost .'];
    const translate = async (env: NodeJS.ProcessEnv) => {
      const runs: Ran[] = [];
      for (let i = 0; i < plan.translateRuns; i++) runs.push(await timedRun(process.execPath, [bin, 'translate', out, ...sentences], env, packageRoot));
      return runs;
    };
    const withBlas = await translate(seqloomEnv);
    tick();
    const noBlas = await translate({ ...seqloomEnv, SEQLOOM_BLAS: 'off' });
    tick();
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    return {
      epochs: plan.epochs, torchBlas, probe, best: configName(best), seqloomSeconds, torchSeconds,
      ratio: round(sum(torchSeconds) / sum(seqloomSeconds), 2),
      translate: {
        sentences, output: withBlas[0]!.stdout.trim(), runs: plan.translateRuns,
        seconds: round(median(withBlas.map((r) => r.seconds)), 3), secondsNoBlas: round(median(noBlas.map((r) => r.seconds)), 3),
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
