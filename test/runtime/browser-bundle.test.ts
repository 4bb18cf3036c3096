/**
 * seqloom/runtime is browser-safe: a generated module and the runtime bundle for the browser
 * (esbuild, platform 'browser') with no Node built-in in the bundle. With platform 'browser' a
 * built-in that nothing disables is a build error; a plugin also records every built-in import, so
 * one from seqloom's own code fails even if something maps it away. (tfjs-backend-wasm's
 * emscripten glue names fs/path for Node and disables them for browsers in its package.json.)
 */
import { build, type Plugin } from 'esbuild';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BUILTINS = new Set(builtinModules);

interface BuiltinImport { path: string; importer: string }

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

function recordBuiltins(found: BuiltinImport[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (isBuiltin(args.path)) found.push({ path: args.path, importer: args.importer });
        return undefined;
      });
    },
  };
}

async function bundle(entry: string, found: BuiltinImport[]) {
  return build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    alias: { 'seqloom/runtime': `${root}src/runtime/index.ts` },
    plugins: [recordBuiltins(found)],
  });
}

describe('browser bundle of seqloom/runtime', () => {
  it('a generated module and the runtime bundle with no Node built-in', async () => {
    const found: BuiltinImport[] = [];
    const entry = [
      "import NumbersGru from './models/generated/numbers-gru.ts';",
      "import Attention from './models/generated/d2l-seq2seq-attention.ts';",
      "import * as runtime from 'seqloom/runtime';",
      'export { NumbersGru, Attention, runtime };',
    ].join('\n');
    const result = await bundle(entry, found);
    expect(result.errors).toEqual([]);
    const ours = found.filter((f) => !f.importer.includes('/node_modules/'));
    expect(ours).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.includes('src/runtime/nn/'))).toBe(true);
    expect(inputs.filter((i) => !i.startsWith('(disabled)') && isBuiltin(i))).toEqual([]);
    expect(inputs.filter((i) => i.startsWith('src/runtime/node/') || /src\/runtime\/io\/(checkpoint|atomic|bounded|safetensors-file)/.test(i))).toEqual([]);
  }, 60_000);

  it('the check fails on a Node built-in reached from the runtime (the Node entry)', async () => {
    const found: BuiltinImport[] = [];
    const failed = await bundle("export * from './src/runtime/node/index.ts';", found).then(() => false, () => true);
    expect(failed).toBe(true);
    expect(found.filter((f) => !f.importer.includes('/node_modules/')).map((f) => f.path)).toContain('node:fs');
  }, 60_000);
});
