/** package.json's "exports" name files that the build produces, and they load. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, string | { default: string }> };

describe('package exports', () => {
  it.each(Object.entries(pkg.exports))('%s points at a built file that imports', async (_name, target) => {
    const file = typeof target === 'string' ? target : target.default;
    expect(existsSync(`${root}${file}`)).toBe(true);
    const mod = (await import(`${root}${file}`)) as Record<string, unknown>;
    expect(Object.keys(mod).length).toBeGreaterThan(0);
  });

  it('the library entry exposes the pipeline stages', async () => {
    const mod = (await import(`${root}dist/src/index.js`)) as Record<string, Record<string, unknown>>;
    expect(typeof mod.spec!.loadSpecFile).toBe('function');
    expect(typeof mod.graph!.buildGraph).toBe('function');
    expect(typeof mod.codegen!.generateFromSpec).toBe('function');
  });
});
