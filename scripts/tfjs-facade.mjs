#!/usr/bin/env node
/**
 * Runs after `tsc` (npm run build): dist's ES-module imports of `@tensorflow/tfjs` go through
 * dist/src/vendor/tfjs.js, which `require`s the package and names its exports.
 *
 * Why: in Node, @tensorflow/tfjs is CommonJS. An ES-module `import` of it makes Node scan the source
 * of the package and of every package it re-exports (tfjs-core, -layers, -converter: about 4 MB) for
 * export names, on every start: ~250 ms of a command that translates a sentence in under a second.
 * A `require` skips that scan, and an ES module that names the exports itself needs none.
 *
 * The TypeScript sources keep `import * as tf from '@tensorflow/tfjs'` (types, and what a reader
 * expects); only the emitted JavaScript is rewritten, import and export statements only, lines kept,
 * so source maps still point right. Strings that merely contain the name (the code generator's
 * import line for generated modules) are not touched.
 *
 * Bundlers for the browser read package.json's "browser" field, which maps vendor/tfjs.js to
 * vendor/tfjs.browser.js (`export * from '@tensorflow/tfjs'`, no Node built-in).
 *
 * `node scripts/tfjs-facade.mjs [DIST]` (default: dist).
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const vendor = join(dist, 'src', 'vendor');
const FACADE = join(vendor, 'tfjs.js');

const require = createRequire(join(root, 'package.json'));
const tf = require('@tensorflow/tfjs');
const names = Object.keys(tf).filter((k) => k !== 'default' && /^[A-Za-z_$][\w$]*$/.test(k)).sort();
if (names.length < 100 || !names.includes('tensor') || !names.includes('Tensor')) {
  throw new Error(`tfjs-facade: @tensorflow/tfjs exports ${names.length} names, expected its usual API`);
}

const banner = '// Written by scripts/tfjs-facade.mjs after tsc; see there. Do not edit.\n';
mkdirSync(vendor, { recursive: true });
writeFileSync(FACADE, [
  banner,
  "import { createRequire } from 'node:module';",
  "const tf = createRequire(import.meta.url)('@tensorflow/tfjs');",
  'export default tf;',
  // One destructuring per name keeps each a plain binding to the same object the package exports.
  `export const {\n  ${names.join(',\n  ')},\n} = tf;`,
  '',
].join('\n'));
writeFileSync(join(vendor, 'tfjs.browser.js'), [
  banner,
  "export * from '@tensorflow/tfjs';",
  "import * as tf from '@tensorflow/tfjs';",
  'export default tf;',
  '',
].join('\n'));

// `import … from '@tensorflow/tfjs';`, `export … from '@tensorflow/tfjs';`, `import '@tensorflow/tfjs';`,
// each one statement on one line, as tsc emits them.
const STATEMENT = /^((?:import|export)\b[^;'"]*?\bfrom\s+|import\s+)(['"])@tensorflow\/tfjs\2(\s*;?)$/gm;
let files = 0, statements = 0;
function visit(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) visit(path);
    else if (entry.name.endsWith('.js') && path !== FACADE && !path.startsWith(vendor + sep)) {
      const text = readFileSync(path, 'utf8');
      let spec = relative(dirname(path), FACADE).split(sep).join('/');
      if (!spec.startsWith('.')) spec = `./${spec}`;
      let n = 0;
      const out = text.replace(STATEMENT, (_m, head, quote, tail) => { n++; return `${head}${quote}${spec}${quote}${tail}`; });
      if (n > 0) {
        writeFileSync(path, out);
        files++;
        statements += n;
      }
    }
  }
}
visit(dist);
if (statements === 0) throw new Error(`tfjs-facade: no import of @tensorflow/tfjs found under ${dist} (did tsc run?)`);
process.stdout.write(`tfjs-facade: ${names.length} names; ${statements} imports in ${files} files now load @tensorflow/tfjs with require\n`);
