/**
 * The seqloom side of the d2l fra-eng comparison, as a worker process (the PyTorch side,
 * baselines/d2l_seq2seq.py, speaks the same protocol), so the benchmark can interleave the two in
 * chunks of epochs and read this process's own peak RSS:
 *
 *   node dist/bench/d2l-worker.js --spec models/d2l-seq2seq-gru.yaml --data fra.txt --backend wasm
 *   → {"ready": true, ...}                    once the module is built and the data loaded
 *   train K        → {"epochs", "seconds", "loss", "peakRssMb"}   K more epochs through src/train's trainLoop
 *   decode R W N   → {"beam": …, "greedy": …} batched vs one-at-a-time decoding of N training sources
 *   quit
 * Everything goes through the same code `seqloom train` uses: the compiled spec, the data layer's
 * per-epoch batches, Adam with the spec's learning rate and clipping.
 */
import { createInterface } from 'node:readline';
import { Command } from 'commander';
import { loadGeneratedModule } from '../src/compile/index.js';
import { initBackend, isBackendChoice } from '../src/runtime/node/index.js';
import type { Seq2SeqModule } from '../src/runtime/module.js';
import { createOptimizer } from '../src/runtime/nn/train.js';
import { loadSeq2seqDataset } from '../src/runtime/data/load.js';
import { seq2seqBatch } from '../src/runtime/data/batches.js';
import { seq2seqEpochs } from '../src/train/epoch-data.js';
import { dataSpecWith } from '../src/train/session-data.js';
import { resolveDecodeSettings } from '../src/train/search.js';
import { trainLoop } from '../src/train/trainer.js';
import { peakRssMb, round } from './measure.js';
import { compareDecoding } from './sections/decoding.js';

const program = new Command()
  .requiredOption('--spec <file>', 'spec to train')
  .option('--data <file>', 'data file (default: the spec\'s, else the built-in task)')
  .option('--backend <name>', 'wasm | cpu | node | auto', 'wasm')
  .option('--seed <n>', 'seed', '0')
  .parse();
const opts = program.opts<{ spec: string; data?: string; backend: string; seed: string }>();

function reply(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

async function main(): Promise<void> {
  if (!isBackendChoice(opts.backend)) throw new Error(`unknown backend ${opts.backend}`);
  const backend = await initBackend(opts.backend);
  const { spec, ModuleClass } = await loadGeneratedModule(opts.spec);
  if (spec.task !== 'seq2seq') throw new Error(`${opts.spec}: the d2l comparison needs a seq2seq spec`);
  const seed = Number(opts.seed);
  const dataSpec = dataSpecWith(spec.data, opts.data);
  const { data } = loadSeq2seqDataset(dataSpec);
  const module = new ModuleClass({ vocab: { source: data.srcVocab.size, target: data.tgtVocab.size }, seed }) as Seq2SeqModule;
  const optimizer = createOptimizer({ name: spec.train.optimizer.name, lr: spec.train.optimizer.lr });
  const epochs = seq2seqEpochs(data, spec.train, seed);
  let done = 0, step = 0;
  reply({ ready: true, backend, pairs: data.train.count, src_vocab: data.srcVocab.size, tgt_vocab: data.tgtVocab.size });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [cmd, ...args] = line.trim().split(/\s+/);
    if (cmd === 'quit' || cmd === undefined || cmd === '') break;
    if (cmd === 'train') {
      const k = Number(args[0]);
      const t0 = performance.now();
      const result = await trainLoop({
        module, optimizer, clipNorm: spec.train.clip_norm, data: epochs, startEpoch: done, epochs: done + k, startStep: step,
      });
      done += k;
      step = result.step;
      reply({ epochs: k, seconds: (performance.now() - t0) / 1000, loss: result.epochs.at(-1)?.loss ?? null, peakRssMb: round(peakRssMb(), 1) });
    } else if (cmd === 'decode') {
      const [rounds, warmup, count] = args.map(Number) as [number, number, number];
      const n = Math.min(count, data.train.count);
      const first = seq2seqBatch(data.train, Int32Array.from({ length: n }, (_, i) => i), false); // padded to max_len
      const sources = { src: first.src, srcLen: first.srcLen, batch: n, srcT: first.srcT };
      const v = data.tgtVocab;
      const specials = { bos: v.bos, eos: v.eos, pad: v.pad };
      const plan = { rounds, warmup };
      const beam = await compareDecoding(module, sources, resolveDecodeSettings(spec.decode, { strategy: 'beam', beamSize: 4 }), specials, plan);
      const greedy = await compareDecoding(module, sources, resolveDecodeSettings(spec.decode, { strategy: 'greedy' }), specials, plan);
      reply({ beam, greedy });
    } else {
      reply({ error: `unknown command ${cmd}` });
    }
  }
  module.dispose();
  optimizer.dispose();
}

main().catch((e: unknown) => {
  reply({ error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
