/**
 * Reading a whole file with a ceiling. `readFileSync` trusts the file to end: on /dev/zero, a FIFO
 * that never closes or a symlink to either it reads forever and takes all memory (`seqloom validate
 * /dev/zero` grew to 6 GB before it was killed). A regular file's size is checked before reading;
 * anything else (pipes — `<(cmd)` is fine — devices, sockets) is read in chunks until EOF and
 * refused once past the ceiling. Open and read failures are thrown as Node errors, so callers keep
 * their own ENOENT/EACCES messages; only the ceiling is a UserError.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from '../../errors.js';

/** What a non-regular file (a pipe or device) may hold, unless the caller allows less. */
export const MAX_STREAM_BYTES = 256 * 2 ** 20;

export class FileTooLargeError extends UserError {
  constructor(file: string, limit: number, regular: boolean, size?: number) {
    super(regular
      ? `${file}: ${size} bytes is more than seqloom reads here (${limit})`
      : `${file}: not a regular file, and it gave more than ${limit} bytes without ending (a device such as /dev/zero?)`);
    this.name = 'FileTooLargeError';
  }
}

function isDirectoryError(): NodeJS.ErrnoException {
  const e = new Error('EISDIR: illegal operation on a directory, read') as NodeJS.ErrnoException;
  e.code = 'EISDIR';
  return e;
}

/** The file's bytes, at most `maxBytes` of them (`maxStreamBytes` for a non-regular file). */
export function readFileBounded(file: string, maxBytes: number, maxStreamBytes = MAX_STREAM_BYTES): Buffer {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw isDirectoryError();
    const regular = st.isFile();
    const limit = regular ? maxBytes : Math.min(maxBytes, maxStreamBytes);
    if (regular && st.size > limit) throw new FileTooLargeError(file, limit, true, st.size);
    const chunks: Buffer[] = [];
    let total = 0;
    // One read for a regular file (its size, plus one byte to see the end); 1 MiB pieces otherwise.
    const piece = regular ? st.size + 1 : 2 ** 20;
    for (;;) {
      const buffer = Buffer.allocUnsafe(Math.min(piece, limit + 1 - total));
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      chunks.push(n === buffer.length ? buffer : buffer.subarray(0, n));
      total += n;
      if (total > limit) throw new FileTooLargeError(file, limit, regular, regular ? total : undefined);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
