/**
 * `seqloom export CKPT --web DIR`: a static site that runs the checkpoint in a browser, from any
 * static file server, offline — index.html, seqloom.js (one bundle), tfjs's wasm binaries,
 * model.safetensors and vocab.json (the checkpoint's own files, verified first).
 *
 * DIR may be new, empty, or an earlier export (replaced). Anything else is refused before a byte
 * is written; the files are committed through the checkpoint journal (atomic-dir.ts), so a failure
 * midway leaves the earlier export as it was.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { loadSpecText } from '../../spec/index.js';
import { readFileBounded } from '../../runtime/io/bounded-read.js';
import { replaceFilesAtomically } from '../../runtime/io/atomic-dir.js';
import { CHECKPOINT_FILES, specHash } from '../../runtime/io/checkpoint.js';
import { MAX_SAFETENSORS_FILE_BYTES } from '../../runtime/io/safetensors.js';
import { readCheckpoint } from '../../train/checkpoint.js';
import { inferenceSpec } from '../spec-json.js';
import { GENERATOR_META, indexHtml } from './index-html.js';

export const SITE_FILES = { html: 'index.html', script: 'seqloom.js', weights: CHECKPOINT_FILES.model, vocab: CHECKPOINT_FILES.vocab } as const;
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

export interface ExportedFile { name: string; bytes: number }
export interface ExportResult {
  dir: string;
  files: ExportedFile[];
  /** Everything but the weights. */
  assetBytes: number;
  weightBytes: number;
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
}

/** Refuses a DIR that is a file, or a folder holding anything but an earlier export. */
export function checkSiteDir(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    throw new UserError(`cannot use ${dir} for the site (${code})`, code === 'ENOTDIR' ? 'a part of the path is a file, not a folder' : undefined);
  }
  if (!stat.isDirectory()) throw new UserError(`${dir} is a file, not a folder; nothing was written`, 'give --web a new or empty folder');
  const entries = fs.readdirSync(dir);
  if (entries.length === 0) return;
  const index = path.join(dir, SITE_FILES.html);
  let html = '';
  try {
    html = readFileBounded(index, 1 << 20).toString('utf8');
  } catch { /* no index.html: not an export */ }
  if (!html.includes(GENERATOR_META)) {
    throw new UserError(`${dir} is not empty and holds no seqloom web export; nothing was written`,
      'give --web a new or empty folder (an earlier export there is replaced)');
  }
}

function wasmDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
}

/** Builds the site in memory (every check first), then writes it into `dir` as one commit. */
export async function exportWebSite(checkpointDir: string, dir: string, progress: (step: string) => void = () => {}): Promise<ExportResult> {
  checkSiteDir(dir);
  progress('reading the checkpoint');
  const checkpoint = readCheckpoint(checkpointDir);
  const specFile = path.join(checkpointDir, CHECKPOINT_FILES.spec);
  const loaded = loadSpecText(checkpoint.specText, specFile);
  if (loaded.value === null) throw new UserError(`${specFile}: the spec no longer loads; run \`seqloom validate ${specFile}\``);
  const spec = loaded.value;
  // Loaded only now: the generator (ts-morph) and esbuild are heavy, and a bad DIR is refused without them.
  const [{ generateFromSpec }, { bundlePage }] = await Promise.all([import('../../../codegen/index.js'), import('./bundle.js')]);
  const generated = generateFromSpec(spec, CHECKPOINT_FILES.spec);
  if (generated.value === null) throw new UserError(`${specFile}: cannot generate its module; run \`seqloom validate ${specFile}\``);
  progress('bundling the page (esbuild)');
  const script = await bundlePage(generated.value.text, inferenceSpec(spec, specHash(checkpoint.specText)));
  const read = (file: string) => readFileBounded(file, MAX_SAFETENSORS_FILE_BYTES);
  const files: [string, Uint8Array][] = [
    [SITE_FILES.html, new TextEncoder().encode(indexHtml(spec.name, SITE_FILES.script))],
    [SITE_FILES.script, script],
    ...WASM_FILES.map((name): [string, Uint8Array] => [name, read(path.join(wasmDir(), name))]),
    [SITE_FILES.vocab, read(path.join(checkpointDir, CHECKPOINT_FILES.vocab))],
    [SITE_FILES.weights, read(path.join(checkpointDir, CHECKPOINT_FILES.model))],
  ];
  progress(`writing ${dir}`);
  try {
    await replaceFilesAtomically(dir, (staging) => {
      for (const [name, bytes] of files) fs.writeFileSync(path.join(staging, name), bytes);
    });
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot write the site into ${dir} (${errnoCode(err)}); an earlier export there is left as it was`,
      'check that the folder is writable and the disk has room');
  }
  const listed = files.map(([name, bytes]) => ({ name, bytes: bytes.length }));
  const weightBytes = listed.find((f) => f.name === SITE_FILES.weights)!.bytes;
  return { dir, files: listed, assetBytes: listed.reduce((a, f) => a + f.bytes, 0) - weightBytes, weightBytes };
}
