/**
 * Peak memory of loading a corpus for training, against its size (issue 11, bounded memory): a
 * synthetic parallel corpus (synthetic-corpus.ts) at several line counts, each loaded in a fresh
 * process (memory-worker.ts) the way `seqloom train` loads data. Reports the peak RSS (VmHWM), its
 * growth over the process before loading, and that growth per byte of file. Not part of CI.
 *
 *   npm run build && node dist/bench/corpora/memory.js [--lines 100000,300000,1000000] [--compare DIST]
 *
 * --compare DIST also measures another build (e.g. /work/main/dist) on the same files and spec.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { writeSyntheticCorpus } from './synthetic-corpus.js';

const SPEC = (extra: string) => `seqloom: 1
name: memory-probe
task: seq2seq
data:
  format: tsv
  source: { tokenizer: word, min_freq: 2, max_len: 24 }
  target: { tokenizer: word, min_freq: 2, max_len: 24 }
${extra}graph:
  src_emb: { op: embedding, input: source, dim: 8 }
  encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 8 }
  tgt_emb: { op: embedding, input: target, dim: 8 }
  decoder: { op: recurrent, cell: gru, input: tgt_emb, hidden: 8, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
`;

interface Row { build: string; spec: string; lines: number; file_mb: number; peak_rss_mb: number; growth_mb: number; bytes_per_file_byte: number; seconds: number; description: string }

function measure(worker: string, spec: string, file: string, root?: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, [worker, spec, file, ...(root ? [root] : [])], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '{}';
  const out = JSON.parse(last) as Record<string, unknown>;
  if (out.error) throw new Error(`${root ?? 'this build'}: ${String(out.error)}`);
  return out;
}

async function main(): Promise<void> {
  const o = new Command().option('--lines <list>', 'line counts', '100000,300000,1000000').option('--compare <dist>', 'another build\'s dist/ to measure too')
    .parse().opts<{ lines: string; compare?: string }>();
  const here = path.dirname(fileURLToPath(import.meta.url));
  const worker = path.join(here, 'memory-worker.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-memory-'));
  try {
    const plain = path.join(dir, 'plain.yaml'), capped = path.join(dir, 'capped.yaml');
    writeFileSync(plain, SPEC(''));
    writeFileSync(capped, SPEC('  max_vocab: 20000\n  bucketing: true\n'));
    const rows: Row[] = [];
    for (const lines of o.lines.split(',').map(Number)) {
      const file = path.join(dir, `corpus-${lines}.tsv`);
      const bytes = await writeSyntheticCorpus(file, lines);
      const runs: [string, string, string | undefined][] = [['this', plain, undefined], ['this', capped, undefined]];
      if (o.compare) runs.unshift(['compare', plain, o.compare]);
      for (const [build, spec, root] of runs) {
        const m = measure(worker, spec, file, root);
        const growth = (m.peak_rss_mb as number) - (m.baseline_rss_mb as number);
        const row: Row = {
          build: build === 'compare' ? o.compare! : 'this build', spec: path.basename(spec, '.yaml'), lines, file_mb: bytes / 2 ** 20,
          peak_rss_mb: m.peak_rss_mb as number, growth_mb: growth, bytes_per_file_byte: (growth * 2 ** 20) / bytes,
          seconds: m.seconds as number, description: m.description as string,
        };
        rows.push(row);
        process.stderr.write(`${row.build} ${row.spec} ${lines} lines (${row.file_mb.toFixed(1)} MB): peak ${row.peak_rss_mb.toFixed(0)} MB, `
          + `+${growth.toFixed(0)} MB over the idle process (${row.bytes_per_file_byte.toFixed(2)} bytes per file byte), ${row.seconds.toFixed(1)} s\n`);
      }
      rmSync(file);
    }
    process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
