#!/usr/bin/env node
// Launcher: the CLI is compiled to dist/ by `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('seqloom: the CLI is not built; run `npm install` (or `npm run build`) in the seqloom folder.\n');
  process.exit(2);
}
await import(entry.href);
