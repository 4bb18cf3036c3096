/**
 * Section 4a: how long `generate` takes per example spec.
 *   generate_s      in one process, codegen already loaded: median of `repeats` generateSpecFile calls
 *                   (spec → graph → plan → ts-morph module text), the generator's own cost
 *   generate_cli_s  `seqloom generate SPEC -o <tmp>` as a fresh process (what a user waits for:
 *                   Node start, loading ts-morph, generating, writing)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, round } from '../measure.js';

export interface GenerateTimes {
  /** Seconds per spec, warm, in-process. */
  inProcess: Record<string, number>;
  /** Seconds per spec, a fresh `seqloom generate` process (null when skipped). */
  cli: Record<string, number> | null;
  /** Seconds to import the generator (ts-morph included) once. */
  importSeconds: number;
}

export async function measureGenerate(
  specs: readonly string[], repeats: number, withCli: boolean, packageRoot: string,
  onSpec?: (done: number, total: number) => void,
): Promise<GenerateTimes> {
  const t0 = performance.now();
  const codegen = await import('../../codegen/index.js');
  const importSeconds = (performance.now() - t0) / 1000;
  const inProcess: Record<string, number> = {};
  const cli: Record<string, number> = {};
  const out = mkdtempSync(join(tmpdir(), 'seqloom-bench-gen-'));
  try {
    let done = 0;
    for (const spec of specs) {
      codegen.generateSpecFile(spec); // first call warms the JIT for this spec's emitters
      const times: number[] = [];
      for (let i = 0; i < repeats; i++) {
        const a = performance.now();
        const result = codegen.generateSpecFile(spec);
        times.push((performance.now() - a) / 1000);
        if (result.value === null) throw new Error(`${spec}: generate failed`);
      }
      inProcess[spec] = round(median(times), 3);
      if (withCli) {
        const a = performance.now();
        execFileSync(process.execPath, [join(packageRoot, 'bin', 'seqloom.js'), 'generate', spec, '-o', out], { stdio: 'pipe' });
        cli[spec] = round((performance.now() - a) / 1000, 3);
      }
      onSpec?.(++done, specs.length);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return { inProcess, cli: withCli ? cli : null, importSeconds: round(importSeconds, 3) };
}
