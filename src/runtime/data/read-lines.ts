/**
 * The byte-level part of reading a data file, shared by the `tsv` and `text` readers: the file must
 * exist and be non-empty; a UTF-8 BOM is stripped; lines end at LF (a CR before it is dropped); each
 * line must be valid UTF-8 and at most `maxLineBytes` long. Bad lines go through `BadLines`, which
 * throws (`on_bad_line: error`) or counts and records a `file:line` warning (`skip`).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../errors.js';
import { firstInvalidUtf8 } from './utf8.js';

export type OnBadLine = 'error' | 'skip';

/** Data files above this size are refused (streamed, so the limit is a guard, not a memory bound). */
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

/** Bytes read per system call while streaming a data file. */
const CHUNK_BYTES = 1 << 20;

/** Opens a data file for streaming, with a UserError for every way of not having it. */
function openDataFile(file: string): { fd: number; regular: boolean } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: data file not found`, 'check data.path (relative to the spec file) or --data');
    if (code === 'EISDIR') throw new UserError(`${file}: is a folder, expected a data file`);
    throw new UserError(`${file}: cannot read data file (${code ?? String(err)})`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`${file}: is a folder, expected a data file`);
    // A pipe (`--data <(cmd)`) is read until it ends; a device such as /dev/zero has no end.
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      throw new UserError(`${file}: not a regular file (a device such as /dev/zero?); expected a data file`);
    }
    if (st.isFile() && st.size === 0) throw new UserError(`${file}: data file is empty`);
    if (st.size > MAX_DATA_FILE_BYTES) {
      throw new UserError(`${file}: data file is ${st.size} bytes, more than the ${MAX_DATA_FILE_BYTES}-byte limit`);
    }
    return { fd, regular: st.isFile() };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/**
 * The file's lines, decoded, numbered from 1, read in 1 MiB pieces: memory holds one piece and one
 * line, whatever the file's size. Lines that are not UTF-8 or are too long are reported to `bad`
 * and not yielded (an over-long line is measured, never held). Stops early when the consumer stops
 * (e.g. after `limit` examples), so problems past that point are never seen.
 */
export function* dataLines(file: string, bad: BadLines, maxLineBytes: number): Generator<DataLine> {
  const { fd } = openDataFile(file);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let parts: Buffer[] = [];
  let partLen = 0, overlong = false, lastByte = -1;
  let line = 0, lineStart = 0, total = 0;
  const finish = (): DataLine | null => {
    line++;
    const cr = lastByte === 0x0d ? 1 : 0;
    let length = partLen - cr;
    let from = lineStart;
    let raw: Buffer | null = null;
    if (!overlong) {
      raw = parts.length === 1 ? parts[0]! : Buffer.concat(parts, partLen);
      raw = raw.subarray(0, length);
      if (line === 1 && raw.length >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) {
        raw = raw.subarray(3);
        length -= 3;
        from += 3;
      }
    }
    if (length > maxLineBytes || raw === null) {
      bad.report(line, `line is ${length} bytes long, over the ${maxLineBytes}-byte limit (is this the right file and format?)`);
      return null;
    }
    try {
      return { line, text: decoder.decode(raw) };
    } catch {
      const at = Math.max(firstInvalidUtf8(raw), 0);
      const byte = raw[at] ?? 0;
      bad.report(line, `not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')} at byte offset ${from + at} of the file); save the file as UTF-8`);
      return null;
    }
  };
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      const base = total;
      total += n;
      if (total > MAX_DATA_FILE_BYTES) {
        throw new UserError(`${file}: not a regular file, and it gave more than ${MAX_DATA_FILE_BYTES} bytes without ending`);
      }
      const view = chunk.subarray(0, n);
      let start = 0;
      while (start < n) {
        const nl = view.indexOf(0x0a, start);
        const end = nl < 0 ? n : nl;
        if (end > start) {
          if (!overlong && partLen + (end - start) > maxLineBytes + 4) { // + a BOM and a CR
            overlong = true;
            parts = [];
          }
          if (!overlong) parts.push(Buffer.from(view.subarray(start, end)));
          partLen += end - start;
          lastByte = view[end - 1]!;
        }
        if (end === n) break;
        const out = finish();
        if (out) yield out;
        parts = [];
        partLen = 0;
        overlong = false;
        lastByte = -1;
        lineStart = base + nl + 1;
        start = nl + 1;
      }
    }
    if (total === 0) throw new UserError(`${file}: data file is empty`);
    if (partLen > 0) {
      const out = finish();
      if (out) yield out;
    }
  } finally {
    closeSync(fd);
  }
}
