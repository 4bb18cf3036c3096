/**
 * Drift check: every committed module (models/generated/, test/codegen/generated/) is exactly what
 * the generator writes for its spec today, every spec has one, and nothing else lies there.
 * Regenerate with `seqloom generate models/*.yaml` (and `-o test/codegen/generated` for the test specs).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSpecFile, moduleFileName } from '../../codegen/index.js';
import { SPEC_SETS, yamlFiles } from './helpers.js';

describe.each(SPEC_SETS)('generated modules of $specs', ({ specs, generated }) => {
  const files = yamlFiles(specs);

  it('has specs', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files.map((f) => [path.basename(f), f]))('%s: committed module matches a fresh generation', (_, file) => {
    const result = generateSpecFile(file);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const target = path.join(generated, result.value!.fileName);
    expect(existsSync(target), `${target} is missing: run seqloom generate`).toBe(true);
    const committed = readFileSync(target, 'utf8');
    // toBe on the text shows the first differing line on failure.
    expect(result.value!.text, `${target} is stale: run seqloom generate`).toBe(committed);
  });

  it('holds no module without a spec', () => {
    const expected = new Set(files.map((f) => moduleFileName(f)));
    const present = readdirSync(generated).filter((f) => f.endsWith('.ts'));
    expect(present.filter((f) => !expected.has(f))).toEqual([]);
  });
});
