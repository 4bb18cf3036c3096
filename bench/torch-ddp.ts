/**
 * `node dist/bench/torch-ddp.js [--rounds R] [--steps S] [--nproc N] [--one 1x1,2x1,1x2] [--many 1x1] [--json]`:
 * the torch engine's data-parallel speed-up on this machine — the generated PyTorch module of
 * bench/specs/seq2seq-gru-large.yaml trained by python/seqloom_torch/train.py on the same synthetic
 * global batches (bench/synthetic.ts: batch 64, 35 steps, 256 wide, 2 layers, vocabulary 1000),
 * one process against N processes under torchrun (DDP, gloo). Each side is tried in the thread
 * settings given (`TxB`: T torch threads and B OpenBLAS threads per process), so that each side
 * is compared at its fastest: one process may use every core through either pool. Rounds run
 * every setting of both sides in turn (interleaved) in one run; each run's step time is the median
 * over its steps after the first two (warm-up), from the worker's own clock, so process start-up is
 * not counted. The figure is a ratio: the fastest 1-process setting's median step time over the
 * fastest N-process setting's (> 1: N processes are faster).
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

interface Flags { rounds: string; steps: string; nproc: string; size: 'large' | 'small'; one: string; many: string; json: boolean }

/** `TxB`: torch threads × OpenBLAS threads per process. */
interface Threads { torch: number; blas: number; label: string }

function threadSettings(list: string): Threads[] {
  return list.split(',').map((item) => {
    const m = /^(\d+)x(\d+)$/.exec(item.trim());
    if (!m) throw new Error(`thread setting ${item}: expected TxB, e.g. 1x2 (torch threads x OpenBLAS threads)`);
    return { torch: Number(m[1]), blas: Number(m[2]), label: `${m[1]}x${m[2]}` };
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const o = new Command().option('--rounds <r>', 'rounds (each runs every setting of both sides)', '3').option('--steps <s>', 'steps per run', '10')
    .option('--nproc <n>', 'processes of the data-parallel side', '2').option('--size <s>', 'large | small', 'large')
    .option('--one <list>', 'thread settings of the 1-process side, TxB (torch x OpenBLAS threads)', '1x1,2x1,1x2')
    .option('--many <list>', 'thread settings of each of the N processes', '1x1')
    .option('--json', 'print the result as JSON').parse().opts<Flags>();
  const rounds = Number(o.rounds), steps = Number(o.steps), nproc = Number(o.nproc);
  const sides = [{ processes: 1, settings: threadSettings(o.one) }, { processes: nproc, settings: threadSettings(o.many) }];
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
    const config = (processes: number, threads: number): string => {
      const file = path.join(work, `config-${processes}-${threads}.json`);
      fs.writeFileSync(file, JSON.stringify({
        module, vocab: { source: size.vocab, target: size.vocab }, task: 'seq2seq', prepared: work,
        shards: [{ file: shardName(1), bytes: shard.length }], vocab_sha256: vocabSha, epochs: 1, start_epoch: 0, start_step: 0,
        init_weights: null, init_optimizer: null, optimizer: { name: 'adam', lr: 0.005 }, clip_norm: 1, carry_state: false,
        seed: 0, threads, device: 'cpu', staging: path.join(work, 'staging'),
      }));
      return file;
    };
    const run = async (processes: number, threads: Threads): Promise<number> => {
      const ends: number[] = [];
      await launchTraining({
        nproc: processes, rendezvous: {}, config: config(processes, threads.torch), threads: threads.torch, blasThreads: threads.blas,
        onEvent: (e) => { if (e['event'] === 'batch') ends.push(e['seconds'] as number); },
      }).done;
      const times = ends.map((t, i) => t - (i === 0 ? 0 : ends[i - 1]!)).slice(2);
      return median(times);
    };
    const t = torchPython();
    const load = os.loadavg()[0]!;
    process.stderr.write(`torch ${t.version}, ${os.cpus().length} cores, load ${load.toFixed(1)}; ${rounds} rounds of 1 process `
      + `(${sides[0]!.settings.map((x) => x.label).join(', ')}) and ${nproc} processes (${sides[1]!.settings.map((x) => x.label).join(', ')}), ${steps} steps each\n`);
    const times = new Map<string, number[]>();
    const key = (processes: number, threads: Threads) => `${processes}p ${threads.label}`;
    for (let r = 0; r < rounds; r++) {
      const line: string[] = [];
      for (const side of sides) {
        for (const threads of side.settings) {
          const k = key(side.processes, threads);
          const s = await run(side.processes, threads);
          times.set(k, [...(times.get(k) ?? []), s]);
          line.push(`${k} ${s.toFixed(3)}`);
        }
      }
      process.stderr.write(`round ${r + 1} (s/step): ${line.join(', ')}\n`);
    }
    const best = (side: typeof sides[number]) => side.settings
      .map((threads) => ({ threads: threads.label, s_per_step: median(times.get(key(side.processes, threads))!) }))
      .sort((a, b) => a.s_per_step - b.s_per_step)[0]!;
    const [one, many] = [best(sides[0]!), best(sides[1]!)];
    const ratio = one.s_per_step / many.s_per_step;
    const medians = Object.fromEntries([...times].map(([k, v]) => [k, median(v)]));
    const result = { size: size.name, nproc, rounds, steps, load_at_start: load, load_at_end: os.loadavg()[0]!, medians, one_process: one, n_processes: many, ratio };
    process.stdout.write(o.json ? `${JSON.stringify(result)}\n`
      : `DDP speed-up, ${nproc} processes (${many.threads} each) vs 1 process at its fastest (${one.threads}), large size: ${ratio.toFixed(2)}× `
        + `(medians s/step: ${Object.entries(medians).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}; load ${load.toFixed(1)} → ${result.load_at_end.toFixed(1)})\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
