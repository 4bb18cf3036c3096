/**
 * safetensors files (Node): read with a size bound, write atomically. The format itself — parsing
 * and serializing bytes — is safetensors.ts, which the browser uses too.
 */
import { statSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileBounded } from './bounded-read.js';
import { MAX_SAFETENSORS_FILE_BYTES, parseSafetensors, serializeSafetensors, type SafetensorsFile, type TensorData } from './safetensors.js';

/** Read and validate a safetensors file. */
export function readSafetensors(file: string): SafetensorsFile {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: file not found` : `${file}: cannot read (${code ?? String(err)})`);
  }
  if (size > MAX_SAFETENSORS_FILE_BYTES) throw new UserError(`${file}: ${size} bytes is more than seqloom reads (${MAX_SAFETENSORS_FILE_BYTES})`);
  let bytes: Uint8Array;
  try {
    bytes = readFileBounded(file, MAX_SAFETENSORS_FILE_BYTES, 64 * 2 ** 20); // not readFileSync: /dev/zero never ends
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseSafetensors(bytes, file);
}

/** Write a safetensors file atomically (temporary file in the same folder, fsync, rename). */
export function writeSafetensors(file: string, tensors: Record<string, TensorData>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata));
}
