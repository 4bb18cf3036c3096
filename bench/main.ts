/**
 * `npm run bench [-- --quick] [-- --json]`: seqloom's benchmarks (not tests; not in CI).
 *
 *   1. training throughput: generated module vs hand-written tf.layers, small (d2l) and large, per backend
 *   2. the d2l fra-eng run (600 pairs × 300 epochs) vs PyTorch d2l at 1 and 2 threads
 *   3. decoding: batched beam (64 sentences, beam 4) and greedy vs one sentence at a time
 *   4. `generate` time per example spec; peak RSS of the training process
 *   5. `pytorch`: against PyTorch on OpenBLAS at its fastest thread configuration, three sizes
 *      (the d2l whole command, the large GRU/LSTM step, Bahdanau 256 on the whole fra-eng file)
 *      and translating two sentences from a fresh process (sections/vs-pytorch.ts)
 *
 * Every figure is a ratio from one run with the two sides interleaved (bench/measure.ts), > 1 when
 * seqloom is faster. The JSON (printed with --json, else written to --out) keeps the bare times as
 * context; the table on stdout shows the ratios.
 */
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { packageRoot as findPackageRoot } from '../src/compile/cache.js';
import type { BackendName } from '../src/runtime/backend/index.js';
import { buildReport, renderTable, type BenchReport } from './report.js';
import { planFor, type BenchPlan } from './plan.js';
import { startTask } from './progress.js';
import { runD2lComparison, torchUnavailable } from './sections/d2l-vs-pytorch.js';
import { measureGenerate } from './sections/generate.js';
import { LEVERS, measureLever, type LeverResult } from './sections/levers.js';
import { measureTrainThroughput, type ThroughputResult } from './sections/train-vs-layers.js';
import { runVsPytorch, type VsPytorchSize } from './sections/vs-pytorch.js';

interface Flags {
  json: boolean; quick: boolean; out?: string; backends: string; sections: string; cells: string;
  torch: boolean; data?: string; torchThreads: string; pytorchSizes: string; levers: string; leverSizes: string;
}

const SECTIONS = ['train', 'd2l', 'generate', 'levers', 'pytorch'] as const;
type Section = typeof SECTIONS[number];

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function rootDir(): string {
  return findPackageRoot() ?? resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

function defaultData(root: string, flag: string | undefined): string | null {
  const file = flag ?? process.env['SEQLOOM_BENCH_DATA'] ?? join(root, '..', 'shared', 'data', 'fra-eng', 'fra.txt');
  return existsSync(file) ? resolve(file) : null;
}

async function trainSection(plan: BenchPlan, backends: BackendName[], cells: Array<'gru' | 'lstm'>): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  for (const backend of backends) {
    for (const cell of cells) {
      for (const size of ['small', 'large'] as const) {
        const p = plan.train[backend][size];
        const task = startTask(`train ${cell} ${size} on ${backend}`, p.rounds);
        const r = await measureTrainThroughput(backend, size, cell, p, (d, t) => task.update(d, t));
        task.done(`seqloom ${r.seqloomTokensPerSecond} vs tf.layers ${r.layersTokensPerSecond} tokens/s → ${r.ratio}×`);
        results.push(r);
      }
    }
  }
  return results;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('npm run bench --')
    .description('seqloom benchmarks: ratios of seqloom against tf.layers and PyTorch, measured interleaved')
    .option('--json', 'print one JSON document on stdout (no table)', false)
    .option('--quick', 'fewer steps and epochs (under 3 minutes); the d2l run is extrapolated to 300 epochs', false)
    .option('--out <file>', 'also write the JSON here (default: runs/bench/<time>.json unless --json)')
    .option('--backends <list>', 'backends for the throughput comparison', 'wasm,cpu')
    .option('--sections <list>', `sections to run (${SECTIONS.join(',')})`, SECTIONS.join(','))
    .option('--cells <list>', 'cells for the throughput comparison (gru, lstm)', 'gru')
    .option('--no-torch', 'skip the PyTorch side of the d2l run')
    .option('--data <file>', 'fra-eng data (default: ../shared/data/fra-eng/fra.txt or $SEQLOOM_BENCH_DATA)')
    .option('--torch-threads <list>', 'PyTorch thread counts for the d2l run', '1,2')
    .option('--levers <list>', `levers to measure (${Object.keys(LEVERS).join(',')})`, Object.keys(LEVERS).join(','))
    .option('--lever-sizes <list>', 'sizes for the levers (small, large)', 'small,large')
    .option('--pytorch-sizes <list>', 'sizes of the pytorch section (d2l, large, bahdanau)', 'd2l,large,bahdanau')
    .parse();
  const flags = program.opts<Flags>();
  const root = rootDir();
  process.chdir(root);
  const sections = list(flags.sections) as Section[];
  const unknown = sections.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown section(s): ${unknown.join(', ')}`);
  const backends = list(flags.backends) as BackendName[];
  const cells = list(flags.cells) as Array<'gru' | 'lstm'>;
  const plan = planFor(flags.quick);
  const started = performance.now();
  const load0 = loadavg()[0]!;

  const train = sections.includes('train') ? await trainSection(plan, backends, cells) : [];

  let d2l = null;
  if (sections.includes('d2l')) {
    const data = defaultData(root, flags.data);
    const task = startTask('d2l fra-eng vs PyTorch', plan.d2l.chunks);
    const torchThreads = list(flags.torchThreads).map(Number);
    d2l = await runD2lComparison(root, data, { ...plan.d2l, torch: flags.torch, torchThreads }, (d, t) => task.update(d, t));
    task.done(d2l.ratio === null ? (d2l.skipped ?? 'no PyTorch side')
      : `seqloom ${d2l.seqloom.seconds300}s vs PyTorch ${Object.entries(d2l.torch!).map(([k, s]) => `${k}t ${s.seconds300}s`).join(', ')} (300 epochs)`);
    if (d2l.skipped !== null) process.stderr.write(`bench: note: ${d2l.skipped}\n`);
  }

  let generate = null;
  if (sections.includes('generate')) {
    const specs = readdirSync(join(root, 'models')).filter((f) => f.endsWith('.yaml')).sort().map((f) => `models/${f}`);
    const task = startTask('generate per spec', specs.length);
    generate = await measureGenerate(specs, plan.generate.repeats, plan.generate.cli, root, (d, t) => task.update(d, t));
    task.done(`max ${Math.max(...Object.values(generate.inProcess))}s in-process`);
  }

  const levers: LeverResult[] = [];
  if (sections.includes('levers')) {
    for (const size of list(flags.leverSizes) as Array<'small' | 'large'>) {
      for (const lever of list(flags.levers)) {
        const task = startTask(`lever ${lever} ${size} on wasm`, plan.levers[size].rounds);
        const r = await measureLever(lever, 'wasm', size, plan.levers[size], (d, t) => task.update(d, t));
        task.done(`off ${r.offSeconds}s / on ${r.onSeconds}s → ${r.ratio}×`);
        levers.push(r);
      }
    }
  }

  let pytorch = null;
  if (sections.includes('pytorch')) {
    const why = torchUnavailable();
    if (why !== null) process.stderr.write(`bench: note: pytorch section skipped: ${why}\n`);
    else pytorch = await runVsPytorch(root, defaultData(root, flags.data), plan.pytorch, list(flags.pytorchSizes) as VsPytorchSize[]);
  }

  const report: BenchReport = buildReport({
    mode: flags.quick ? 'quick' : 'full', train, d2l, generate, levers, pytorch,
    seconds: (performance.now() - started) / 1000, load: [load0, loadavg()[0]!], cpus: cpus().length,
  });
  const text = JSON.stringify(report, null, 2);
  if (flags.json) {
    process.stdout.write(text + '\n');
  } else {
    process.stdout.write(renderTable(report));
  }
  const out = flags.out ?? (flags.json ? null : join(root, 'runs', 'bench', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`));
  if (out !== null) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text + '\n');
    process.stderr.write(`bench: wrote ${out}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
