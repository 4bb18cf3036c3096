/**
 * The compiled-module cache: one `.mjs` per (spec text, generator). The key hashes the spec's text
 * and path name, GENERATOR_VERSION, and a fingerprint of the code that decides what is generated
 * (codegen/, src/spec/, src/graph/), so editing the generator or the front end never serves stale
 * modules. Location: `$SEQLOOM_CACHE_DIR`, else `<package>/node_modules/.cache/seqloom` (or
 * `<package>/.cache/seqloom` when running from TypeScript sources, whose runtime only a TS-aware
 * loader can import), else the OS temp dir.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** True when this file runs as TypeScript (vitest), false when built (dist/src/compile/*.js). */
export const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The package root: the nearest folder above this file holding seqloom's package.json. */
export function packageRoot(): string | null {
  for (let dir = here; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'seqloom') return dir;
      } catch { /* not ours */ }
    }
    if (dirname(dir) === dir) return null;
  }
}

export function cacheDir(): string {
  const env = process.env['SEQLOOM_CACHE_DIR'];
  if (env) return env;
  const root = packageRoot();
  if (root !== null) {
    const dir = FROM_SOURCES ? join(root, '.cache', 'seqloom') : join(root, 'node_modules', '.cache', 'seqloom');
    if (writable(dir)) return dir;
  }
  return join(tmpdir(), 'seqloom-cache');
}

function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    return true;
  } catch {
    return false;
  }
}

let generatorFingerprint: string | null = null;

/** Hash of every source file of the generator and the stages before it (computed once). */
export function fingerprint(): string {
  if (generatorFingerprint !== null) return generatorFingerprint;
  const hash = createHash('sha256');
  // src/compile → ../../codegen, ../spec, ../graph (the same layout in dist/ and in the sources).
  for (const dir of [join(here, '..', '..', 'codegen'), join(here, '..', 'spec'), join(here, '..', 'graph')]) {
    for (const file of listFiles(dir)) hash.update(file.slice(dir.length)).update(readFileSync(file));
  }
  generatorFingerprint = hash.digest('hex').slice(0, 16);
  return generatorFingerprint;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

export function cacheKey(parts: readonly (string | number)[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(String(p)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** Writes `text` to `path` atomically (a reader never sees half a file). */
export function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Keeps the `keep` most recently written modules (`extension` files) of the cache folder, deleting older ones. */
export function pruneCache(dir: string, keep = 64, extension = '.mjs'): void {
  try {
    const entries = readdirSync(dir)
      .filter((f) => f.endsWith(extension))
      .map((f) => ({ path: join(dir, f), time: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.time - a.time);
    for (const old of entries.slice(keep)) rmSync(old.path, { force: true });
  } catch {
    // A cache that cannot be listed or cleaned is still a cache.
  }
}
