/**
 * The exported page's one JavaScript file: esbuild bundles the page (src/web/page/main), the
 * checkpoint's generated module (its TypeScript, as `seqloom generate` writes it), the runtime and
 * tfjs for the browser, minified, with the inference spec inlined. Node's memory probe is swapped
 * for the browser's (guard/system-memory.browser), as package.json's "browser" field does for
 * other bundlers.
 */
import { build, type Plugin } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageRoot } from '../../compile/cache.js';
import type { InferenceSpec } from '../spec-json.js';

const here = dirname(fileURLToPath(import.meta.url)); // …/src/web/export (sources) or dist/src/web/export
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const SRC = join(here, '..', '..');

function source(rel: string): string {
  return join(SRC, `${rel}${EXT}`);
}

const MODEL = 'seqloom-web:model';

function pagePlugin(generatedTs: string, root: string): Plugin {
  return {
    name: 'seqloom-web',
    setup(b) {
      b.onResolve({ filter: /^seqloom-web:model$/ }, () => ({ path: 'model.ts', namespace: 'seqloom-web' }));
      b.onLoad({ filter: /.*/, namespace: 'seqloom-web' }, () => ({ contents: generatedTs, loader: 'ts', resolveDir: root }));
      // `@tensorflow/tfjs` from our code and the generated module: core + backends only (tfjs-core-only.ts).
      b.onResolve({ filter: /^@tensorflow\/tfjs$/ }, (args) =>
        (args.importer.includes('/node_modules/') ? undefined : { path: source('web/page/tfjs-core-only') }));
      // Built (dist), our code imports tfjs through the Node facade vendor/tfjs.js: the same shim.
      b.onResolve({ filter: /\/vendor\/tfjs\.js$/ }, (args) =>
        (args.importer.startsWith(SRC) ? { path: source('web/page/tfjs-core-only') } : undefined));
      b.onResolve({ filter: /\/system-memory(\.js|\.ts)?$/ }, (args) =>
        (args.importer.startsWith(join(SRC, 'guard')) ? { path: source('guard/system-memory.browser') } : undefined));
    },
  };
}

/** The page bundle (JavaScript bytes) for one generated module and its inference spec. */
export async function bundlePage(generatedTs: string, spec: InferenceSpec): Promise<Uint8Array> {
  const root = packageRoot() ?? join(SRC, '..', '..');
  const entry = [
    `import Module from ${JSON.stringify(MODEL)};`,
    `import { startPage } from ${JSON.stringify(source('web/page/main'))};`,
    `startPage(Module, ${JSON.stringify(spec)});`,
  ].join('\n');
  try {
    const result = await build({
      stdin: { contents: entry, resolveDir: root, loader: 'js', sourcefile: 'seqloom-page.js' },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      write: false,
      logLevel: 'silent',
      alias: { 'seqloom/runtime': source('runtime/index') },
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [pagePlugin(generatedTs, root)],
    });
    return result.outputFiles[0]!.contents;
  } catch (err) {
    const errors = (err as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const first = errors?.[0];
    const where = first?.location ? ` (${first.location.file}:${first.location.line})` : '';
    throw new Error(`bundling the page failed: ${first?.text ?? (err instanceof Error ? err.message : String(err))}${where}`);
  }
}
