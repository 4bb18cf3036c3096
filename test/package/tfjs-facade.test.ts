/**
 * The built package loads tfjs through dist/src/vendor/tfjs.js (scripts/tfjs-facade.mjs): every
 * emitted import of `@tensorflow/tfjs` is rewritten to it, it hands out the package's own objects
 * (one tfjs instance with the tests, the trainer and generated modules), and bundlers for the
 * browser get its portable twin through package.json's "browser" field.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');
const facade = join(dist, 'src', 'vendor', 'tfjs.js');
const BUILT = existsSync(join(dist, 'src', 'index.js'));

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? jsFiles(p) : e.name.endsWith('.js') ? [p] : [];
  });
}

describe.skipIf(!BUILT)('tfjs through the facade', () => {
  it('no built file imports @tensorflow/tfjs as an ES module; the runtime and trainer import the facade', () => {
    const direct = jsFiles(dist).filter((f) => !f.startsWith(join(dist, 'src', 'vendor')))
      .filter((f) => /^(?:import|export)\b[^;]*?\bfrom\s+['"]@tensorflow\/tfjs['"]|^import\s+['"]@tensorflow\/tfjs['"]/m.test(readFileSync(f, 'utf8')));
    expect(direct.map((f) => relative(root, f))).toEqual([]);
    for (const f of ['src/runtime/nn/cells.js', 'src/train/search.js']) {
      expect(readFileSync(join(dist, f), 'utf8')).toMatch(/from '(\.\.\/)+vendor\/tfjs\.js';$/m);
    }
    // The code generator still writes the package's name into generated modules.
    expect(readFileSync(join(dist, 'codegen', 'framework', 'imports.js'), 'utf8')).toContain("'@tensorflow/tfjs'");
  });

  it("hands out the package's own objects, every name the package exports", async () => {
    const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as Record<string, unknown>;
    const viaFacade = (await import(facade)) as Record<string, unknown>;
    const names = Object.keys(tf).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k));
    expect(names.length).toBeGreaterThan(400);
    expect(names.filter((k) => viaFacade[k] !== tf[k])).toEqual([]);
    expect(viaFacade.default).toBe(tf);
  });

  it('the built runtime bundles for the browser with no Node built-in (the "browser" field swaps the facade)', async () => {
    const found: string[] = [];
    const record: Plugin = {
      name: 'record-builtins',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          const bare = args.path.replace(/^node:/, '').split('/')[0]!;
          if ((args.path.startsWith('node:') || builtinModules.includes(bare)) && !args.importer.includes('/node_modules/')) found.push(`${args.path} from ${relative(root, args.importer)}`);
          return undefined;
        });
      },
    };
    const result = await build({
      stdin: { contents: "export * from './dist/src/runtime/index.js';", resolveDir: root, loader: 'js' },
      bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent', plugins: [record],
    });
    expect(found).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain('dist/src/vendor/tfjs.browser.js');
    expect(inputs).not.toContain('dist/src/vendor/tfjs.js');
  }, 60_000);
});
