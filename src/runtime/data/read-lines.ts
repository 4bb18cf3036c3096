/**
 * The byte-level part of reading a data file, shared by the `tsv` and `text` readers: the file must
 * exist and be non-empty; a UTF-8 BOM is stripped; lines end at LF (a CR before it is dropped); each
 * line must be valid UTF-8 and at most `maxLineBytes` long. Bad lines go through `BadLines`, which
 * throws (`on_bad_line: error`) or counts and records a `file:line` warning (`skip`).
 */
import { statSync } from 'node:fs';
import { readFileBounded } from '../io/bounded-read.js';
import { UserError } from '../../errors.js';
import { firstInvalidUtf8 } from './utf8.js';

export type OnBadLine = 'error' | 'skip';

/** Data files above this size are refused (they would not fit the string/Buffer limits anyway). */
export const MAX_DATA_FILE_BYTES = 1 << 30;
/** At most this many per-line warnings are kept; the count of skipped lines is always exact. */
export const MAX_LINE_WARNINGS = 20;

export interface DataLine { line: number; text: string }

/** Collects bad lines under an `on_bad_line` policy. */
export class BadLines {
  readonly warnings: string[] = [];
  skipped = 0;

  constructor(readonly file: string, readonly policy: OnBadLine) {}

  /** A bad line: throws under `error`, else counts it and keeps the first few messages. */
  report(line: number, problem: string): void {
    const message = `${this.file}:${line}: ${problem}`;
    if (this.policy === 'error') {
      throw new UserError(message, 'fix the line, or set data.on_bad_line: skip to skip bad lines');
    }
    this.skipped++;
    if (this.warnings.length < MAX_LINE_WARNINGS) this.warnings.push(message);
  }

  /** The warnings plus a closing count when lines were skipped. */
  summary(): string[] {
    if (this.skipped === 0) return [...this.warnings];
    const more = this.skipped - this.warnings.length;
    const tail = more > 0 ? ` (${more} not listed)` : '';
    return [...this.warnings, `${this.file}: skipped ${this.skipped} bad line${this.skipped === 1 ? '' : 's'}${tail}`];
  }
}

/** The file's bytes, with a UserError for every way of not having them. */
export function readDataFileBytes(file: string): Uint8Array {
  let size: number;
  let regular: boolean;
  try {
    const st = statSync(file);
    if (st.isDirectory()) throw new UserError(`${file}: is a folder, expected a data file`);
    size = st.size;
    regular = st.isFile();
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: data file not found`, 'check data.path (relative to the spec file) or --data');
    throw new UserError(`${file}: cannot read data file (${code ?? String(err)})`);
  }
  if (regular && size === 0) throw new UserError(`${file}: data file is empty`);
  if (size > MAX_DATA_FILE_BYTES) {
    throw new UserError(`${file}: data file is ${size} bytes, more than the ${MAX_DATA_FILE_BYTES}-byte limit`);
  }
  let bytes: Uint8Array;
  try {
    // A pipe (`--data <(cmd)`) has no size until read; a device such as /dev/zero has no end.
    bytes = readFileBounded(file, MAX_DATA_FILE_BYTES);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`${file}: cannot read data file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (bytes.length === 0) throw new UserError(`${file}: data file is empty`);
  return bytes;
}

/**
 * The file's lines, decoded, numbered from 1. Lines that are not UTF-8 or are too long are reported
 * to `bad` and not yielded. Stops early when the consumer stops (e.g. after `limit` examples), so
 * problems past that point are never seen.
 */
export function* dataLines(bytes: Uint8Array, bad: BadLines, maxLineBytes: number): Generator<DataLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let start = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let line = 0;
  while (start < bytes.length) {
    line++;
    let end = bytes.indexOf(0x0a, start);
    const next = end < 0 ? bytes.length : end + 1;
    if (end < 0) end = bytes.length;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    const lineStart = start;
    start = next;
    const length = end - lineStart;
    if (length > maxLineBytes) {
      bad.report(line, `line is ${length} bytes long, over the ${maxLineBytes}-byte limit (is this the right file and format?)`);
      continue;
    }
    const raw = bytes.subarray(lineStart, end);
    let text: string;
    try {
      text = decoder.decode(raw);
    } catch {
      const at = firstInvalidUtf8(raw);
      const offset = lineStart + Math.max(at, 0);
      const byte = raw[Math.max(at, 0)] ?? 0;
      bad.report(line, `not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at byte offset ${offset} of the file); save the file as UTF-8`);
      continue;
    }
    yield { line, text };
  }
}
