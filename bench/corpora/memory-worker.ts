/**
 * One measurement for memory.ts, in its own process: load a data file the way `seqloom train` does
 * (spec → loadTrainingData: read, tokenize, vocabularies, encoded splits, the first epoch's batch
 * plan) from the build under ROOT, and print {peak_rss_mb, baseline_rss_mb, seconds, ...} as JSON.
 *
 *   node dist/bench/corpora/memory-worker.js SPEC DATA [ROOT]
 * ROOT (default: this build's dist) lets the same measurement run against another build's dist/
 * (e.g. /work/main/dist, to compare before and after).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function vmHwmMb(): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb === undefined ? process.resourceUsage().maxRSS / 1024 : Number(kb) / 1024;
}

async function main(): Promise<void> {
  const [specPath, dataPath, rootArg] = process.argv.slice(2);
  if (!specPath || !dataPath) throw new Error('usage: memory-worker SPEC DATA [ROOT]');
  const root = rootArg ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const load = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(root, rel)).href)) as T;
  const { loadSpecFile } = await load<{ loadSpecFile(p: string): { value: unknown; diagnostics: { message: string }[] } }>('src/spec/index.js');
  const { loadTrainingData } = await load<{ loadTrainingData(spec: unknown, data: string, seed: number): {
    description: string; epochs: { batches(e: number): { length?: number } | unknown[] };
  } }>('src/train/session-data.js');
  const spec = loadSpecFile(specPath);
  if (spec.value === null) throw new Error(spec.diagnostics.map((d) => d.message).join('; '));
  const baseline = vmHwmMb();
  const t0 = performance.now();
  const data = loadTrainingData(spec.value, dataPath, 0);
  const batches = data.epochs.batches(1);
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(`${JSON.stringify({
    peak_rss_mb: vmHwmMb(), baseline_rss_mb: baseline, seconds, description: data.description,
    batches: Array.isArray(batches) ? batches.length : (batches as { length?: number }).length ?? null,
  })}\n`);
}

main().catch((e: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: e instanceof Error ? e.message : String(e) })}\n`);
  process.exit(1);
});
