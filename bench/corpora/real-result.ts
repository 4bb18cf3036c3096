/**
 * A real result (issue 11): seqloom's attention and GRU encoder–decoders on the whole fra-eng file,
 * each trained for a fixed wall budget (keep_best on validation BLEU, `train --max-time`), scored by
 * corpus BLEU on a fixed seeded test split of 2,000 pairs with `seqloom eval --data`; the same models,
 * data, batching and budget in PyTorch (torch_seq2seq.py, OpenBLAS, its fastest thread setting),
 * scored by the same BLEU code; and the attention model on cmn-eng with the `segmenter` tokenizer
 * (seqloom only). Not part of CI (the runs take 5 × the budget); its smoke test runs tiny specs.
 *
 *   npm run build
 *   flock /work/wt/.cpu.lock npm run bench:corpora -- --minutes 20   # or node dist/bench/corpora/real-result.js
 *   node dist/bench/corpora/real-result.js --minutes 20 --dry-run      # the plan: splits, specs, commands
 *
 * Runs are `<spec>:<engine>`, the spec bench/corpora/specs/<pair>-<model>.yaml, the data of <pair>
 * from `--data <pair>=FILE` (default: fra-eng/fra.txt and cmn-eng/cmn.txt in the shared data folder).
 * Prints a Markdown table (also WORK/results.md) and writes WORK/results.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { loadSpecFile } from '../../src/spec/index.js';
import { splitCorpus, type SplitResult } from './split.js';
import { ROOT, seqloomCommands, seqloomRun, torchRun, type RunInput, type RunRow } from './real-runs.js';

const DEFAULT_RUNS = 'fra-attention:seqloom,fra-attention:pytorch,fra-gru:seqloom,fra-gru:pytorch,cmn-attention:seqloom';
const DATA_FILES: Record<string, string> = { fra: 'fra-eng/fra.txt', cmn: 'cmn-eng/cmn.txt' };

interface Options {
  minutes: number; runs: string; data: string[]; specs: string; work?: string; testSize: number; seed: number;
  torchThreads: string; probeSteps: number; dryRun?: boolean; quiet?: boolean;
}

/** The shared data folder: $SEQLOOM_DATA_DIR, ../shared/data beside the checkout, or /work/shared/data. */
function sharedDataDir(): string | null {
  const candidates = [process.env.SEQLOOM_DATA_DIR, path.resolve(ROOT, '../shared/data'), '/work/shared/data'];
  return candidates.find((d): d is string => d !== undefined && fs.existsSync(d)) ?? null;
}

function dataFiles(given: string[]): Map<string, string> {
  const files = new Map<string, string>();
  const shared = sharedDataDir();
  if (shared) for (const [pair, rel] of Object.entries(DATA_FILES)) files.set(pair, path.join(shared, rel));
  for (const g of given) {
    const m = /^([a-z0-9]+)=(.+)$/.exec(g);
    if (!m) throw new Error(`--data: PAIR=FILE, got ${g}`);
    files.set(m[1]!, path.resolve(m[2]!));
  }
  return files;
}

interface PlannedRun { spec: string; pair: string; model: string; engine: 'seqloom' | 'pytorch' }

function plan(o: Options, files: Map<string, string>): PlannedRun[] {
  return o.runs.split(',').map((r) => {
    const m = /^([a-z0-9]+)-([a-z0-9-]+):(seqloom|pytorch)$/.exec(r.trim());
    if (!m) throw new Error(`--runs: <pair>-<model>:<seqloom|pytorch>, got ${r}`);
    const spec = path.join(o.specs, `${m[1]}-${m[2]}.yaml`);
    if (!fs.existsSync(spec)) throw new Error(`no spec ${spec} for run ${r}`);
    if (!files.has(m[1]!)) throw new Error(`no data for ${m[1]}: pass --data ${m[1]}=FILE`);
    const loaded = loadSpecFile(spec);
    if (loaded.value === null) throw new Error(`${spec}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
    return { spec, pair: m[1]!, model: m[2]!, engine: m[3] as 'seqloom' | 'pytorch' };
  });
}

function table(rows: RunRow[]): string {
  const torch = new Map(rows.filter((r) => r.engine === 'pytorch').map((r) => [`${r.pair}-${r.model}`, r]));
  const lines = [
    '| data | model | engine | budget | test BLEU | BLEU / wall-minute | vs PyTorch | steps | target tokens/s | run wall | setup |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const t = r.engine === 'seqloom' ? torch.get(`${r.pair}-${r.model}`) : undefined;
    const ratio = t && t.bleu_per_minute > 0 ? `${(r.bleu_per_minute / t.bleu_per_minute).toFixed(2)}×` : '';
    lines.push(`| ${r.pair} | ${r.model} | ${r.engine} | ${r.minutes} min | ${r.test_bleu.toFixed(2)} | ${r.bleu_per_minute.toFixed(3)} | ${ratio} `
      + `| ${r.steps} | ${r.tokens_per_second?.toFixed(0) ?? ''} | ${(r.wall_seconds / 60).toFixed(1)} min | ${r.config} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const o = new Command()
    .description('issue 11\'s real result: test BLEU after a fixed wall budget, seqloom and PyTorch')
    .option('--minutes <m>', 'wall budget of each training run, in minutes', Number, 20)
    .option('--runs <list>', 'runs, <pair>-<model>:<seqloom|pytorch>', DEFAULT_RUNS)
    .option('--data <pair=file>', 'data file of a pair (repeatable; default: the shared data folder)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--specs <dir>', 'folder of <pair>-<model>.yaml specs', path.join(ROOT, 'bench', 'corpora', 'specs'))
    .option('--work <dir>', 'working folder (default: a new one under the system temp folder)')
    .option('--test-size <n>', 'test pairs held out per data file', Number, 2000)
    .option('--seed <n>', 'seed of the test split', Number, 0)
    .option('--torch-threads <setting>', 'PyTorch threads: auto (probe torch x OpenBLAS threads in {1,2}) or TxB', 'auto')
    .option('--probe-steps <n>', 'steps of each PyTorch thread probe', Number, 30)
    .option('--dry-run', 'split the data and check the specs, print the commands and stop')
    .option('--quiet', 'do not echo the runs\' progress')
    .parse().opts<Options>();
  if (!(o.minutes > 0)) throw new Error(`--minutes must be positive, got ${o.minutes}`);
  const files = dataFiles(o.data);
  const runs = plan(o, files);
  const work = path.resolve(o.work ?? fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-real-')));
  const started = new Date();
  const splits: Record<string, SplitResult & { file: string }> = {};
  for (const pair of new Set(runs.map((r) => r.pair))) {
    const dir = path.join(work, pair);
    fs.mkdirSync(dir, { recursive: true });
    const file = files.get(pair)!;
    splits[pair] = { file, ...splitCorpus(file, path.join(dir, 'train.tsv'), path.join(dir, 'test.tsv'), o.testSize, o.seed) };
    const s = splits[pair]!;
    process.stderr.write(`${pair}: ${file} split with seed ${o.seed}: ${s.train} training pairs, ${s.test} test pairs `
      + `(no test source sentence in training; ${s.dropped} pairs of the boundary group in neither) → ${dir}\n`);
  }
  const inputs = runs.map((r): RunInput & { engine: PlannedRun['engine'] } => ({
    ...r, minutes: o.minutes, work: path.join(work, r.pair), torchThreads: o.torchThreads, probeSteps: o.probeSteps, quiet: o.quiet === true,
  }));
  if (o.dryRun) {
    for (const r of inputs) {
      const what = r.engine === 'seqloom' ? seqloomCommands(r).train.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ') : `PyTorch: ${r.spec} on ${r.work}`;
      process.stdout.write(`${r.pair}-${r.model}:${r.engine}: ${r.minutes} min of training; ${what}\n`);
    }
    process.stdout.write(`${inputs.length} runs: about ${inputs.length} × ${o.minutes} min of training plus data, probes and test decoding\n`);
    return;
  }
  const rows: RunRow[] = [];
  for (const r of inputs) {
    const row = r.engine === 'pytorch' ? await torchRun(r) : await seqloomRun(r);
    rows.push(row);
    process.stderr.write(`${row.pair}-${row.model} ${row.engine}: test BLEU ${row.test_bleu.toFixed(2)} after ${row.minutes} min (${row.steps} steps; ${row.config}; ${(row.wall_seconds / 60).toFixed(1)} min in all)\n`);
  }
  const cpu = os.cpus();
  const header = `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} cores), `
    + `load average ${os.loadavg()[0]!.toFixed(2)} at the end; wall budget ${o.minutes} min per training run; `
    + `test split: ${Object.entries(splits).map(([p, s]) => `${p} ${s.test} pairs (seed ${o.seed})`).join(', ')}`;
  const md = `${header}\n\n${table(rows)}\n`;
  fs.writeFileSync(path.join(work, 'results.json'), JSON.stringify({ started: started.toISOString(), minutes: o.minutes, splits, rows }, null, 1));
  fs.writeFileSync(path.join(work, 'results.md'), md);
  process.stdout.write(md);
  process.stderr.write(`results in ${work}/results.{md,json}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`real-result: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
