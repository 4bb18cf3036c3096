/**
 * Drift check: every committed module (models/generated/, test/codegen/generated/) is exactly what
 * the generator writes for its spec today — the TypeScript module (`.ts`) and the PyTorch module
 * (`.py`) — every spec has both, and nothing else lies there.
 * Regenerate with `npm run generate` (`seqloom generate SPEC... [--target pytorch] [-o DIR]`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSpecFile, moduleFileName, type GenerateTarget } from '../../codegen/index.js';
import { pythonFileName } from '../../codegen/pytorch/names.js';
import { SPEC_SETS, yamlFiles } from './helpers.js';

const TARGETS: Array<{ target: GenerateTarget; extension: string; fileName: (spec: string) => string }> = [
  { target: 'typescript', extension: '.ts', fileName: moduleFileName },
  { target: 'pytorch', extension: '.py', fileName: pythonFileName },
];

describe.each(SPEC_SETS.flatMap((set) => TARGETS.map((t) => ({ ...set, ...t }))))('$target modules of $specs', ({ specs, generated, target, extension, fileName }) => {
  const files = yamlFiles(specs);

  it('has specs', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [path.basename(f), f]))('%s: committed module matches a fresh generation', (_, file) => {
    const result = generateSpecFile(file, target);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const out = path.join(generated, result.value!.fileName);
    expect(existsSync(out), `${out} is missing: run npm run generate`).toBe(true);
    const committed = readFileSync(out, 'utf8');
    // toBe on the text shows the first differing line on failure.
    expect(result.value!.text, `${out} is stale: run npm run generate`).toBe(committed);
  });

  it('holds no module without a spec', () => {
    const expected = new Set(files.map((f) => fileName(f)));
    const present = readdirSync(generated).filter((f) => f.endsWith(extension));
    expect(present.filter((f) => !expected.has(f))).toEqual([]);
  });
});
