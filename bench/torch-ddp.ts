/**
 * `node dist/bench/torch-ddp.js [--rounds R] [--steps S] [--nproc N] [--size large|small] [--json]`:
 * the torch engine's data-parallel speed-up on this machine — the generated PyTorch module of
 * bench/specs/seq2seq-gru-large.yaml trained by python/seqloom_torch/train.py on the same synthetic
 * global batches (bench/synthetic.ts: batch 64, 35 steps, 256 wide, 2 layers, vocabulary 1000),
 * one process against N processes under torchrun (DDP, gloo), torch threads 1 per process. Rounds
 * alternate (1, N, 1, N, …) in one run; each round's step time is the median over its steps after
 * the first two (warm-up), from the worker's own clock, so process start-up is not counted. The
 * figure is a ratio: median 1-process step time / median N-process step time (> 1: N is faster).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { loadCheckedSpec } from '../src/compile/index.js';
import { encodeShard, shardName } from '../src/train/prepared/format.js';
import { launchTraining } from '../src/train/torch/launch.js';
import { pytorchModuleFile } from '../src/train/torch/module-file.js';
import { torchPython } from '../src/train/torch/python.js';
import { packageRoot } from '../src/compile/cache.js';
import { SIZES, syntheticBatches } from './synthetic.js';

interface Flags { rounds: string; steps: string; nproc: string; size: 'large' | 'small'; json: boolean }

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const o = new Command().option('--rounds <r>', 'rounds of (1 process, N processes)', '3').option('--steps <s>', 'steps per run', '10')
    .option('--nproc <n>', 'processes of the data-parallel side', '2').option('--size <s>', 'large | small', 'large')
    .option('--json', 'print the result as JSON').parse().opts<Flags>();
  const rounds = Number(o.rounds), steps = Number(o.steps), nproc = Number(o.nproc);
  const size = SIZES[o.size];
  const root = packageRoot() ?? process.cwd();
  const spec = loadCheckedSpec(path.join(root, 'bench/specs/seq2seq-gru-large.yaml'));
  if (size.name !== 'large') throw new Error('the torch DDP bench runs the large size (its spec is 256 wide)');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-ddp-bench-'));
  try {
    const vocabSha = createHash('sha256').update('synthetic').digest('hex');
    const shard = encodeShard(1, 1, vocabSha, syntheticBatches(size, steps, 1));
    fs.writeFileSync(path.join(work, shardName(1)), shard);
    fs.mkdirSync(path.join(work, 'staging'));
    const module = await pytorchModuleFile(spec);
    const config = (processes: number): string => {
      const file = path.join(work, `config-${processes}.json`);
      fs.writeFileSync(file, JSON.stringify({
        module, vocab: { source: size.vocab, target: size.vocab }, task: 'seq2seq', prepared: work,
        shards: [{ file: shardName(1), bytes: shard.length }], vocab_sha256: vocabSha, epochs: 1, start_epoch: 0, start_step: 0,
        init_weights: null, init_optimizer: null, optimizer: { name: 'adam', lr: 0.005 }, clip_norm: 1, carry_state: false,
        seed: 0, threads: 1, device: 'cpu', staging: path.join(work, 'staging'),
      }));
      return file;
    };
    const configs = new Map([1, nproc].map((n) => [n, config(n)]));
    const run = async (processes: number): Promise<number> => {
      const ends: number[] = [];
      await launchTraining({
        nproc: processes, rendezvous: {}, config: configs.get(processes)!, threads: 1,
        onEvent: (e) => { if (e['event'] === 'batch') ends.push(e['seconds'] as number); },
      }).done;
      const times = ends.map((t, i) => t - (i === 0 ? 0 : ends[i - 1]!)).slice(2);
      return median(times);
    };
    const t = torchPython();
    const load = os.loadavg()[0]!;
    process.stderr.write(`torch ${t.version}, ${os.cpus().length} cores, load ${load.toFixed(1)}; ${rounds} rounds of 1 vs ${nproc} processes, ${steps} steps each\n`);
    const one: number[] = [], many: number[] = [];
    for (let r = 0; r < rounds; r++) {
      one.push(await run(1));
      many.push(await run(nproc));
      process.stderr.write(`round ${r + 1}: 1 process ${one.at(-1)!.toFixed(3)} s/step, ${nproc} processes ${many.at(-1)!.toFixed(3)} s/step → ${(one.at(-1)! / many.at(-1)!).toFixed(2)}×\n`);
    }
    const ratio = median(one) / median(many);
    const result = { size: size.name, nproc, rounds, steps, load_at_start: load, one_process_s_per_step: median(one), n_processes_s_per_step: median(many), ratio };
    process.stdout.write(o.json ? `${JSON.stringify(result)}\n` : `DDP speed-up, ${nproc} processes vs 1 (large size, 1 thread each): ${ratio.toFixed(2)}×\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
