/**
 * File-system failures in words: a full disk, a quota, an I/O error, a read-only or forbidden
 * folder become one UserError line (`cannot save … : no space left on the device (ENOSPC)`), never a
 * stack trace. Used where training writes: the lock, checkpoints, metrics.jsonl.
 */
import { UserError } from '../errors.js';

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error, a failing disk or a lost network mount',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large for the file system',
  EMFILE: 'too many open files',
  ENOTDIR: 'a path component is not a folder',
};

/** A write the file system refused, already described (`what: reason (CODE)`). */
export class StorageError extends UserError {
  constructor(message: string, readonly code: string, hint?: string) {
    super(message, hint);
    this.name = 'StorageError';
  }
}

/** The errno code of an error, including one a UserError carries in its message (`(ENOSPC)`). */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  const m = e instanceof Error ? /\((E[A-Z]+)\)/.exec(e.message) : null;
  return m?.[1];
}

/** True for failures that mean "the disk cannot take this write" (as opposed to a bug or bad input). */
export function isStorageFailure(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO' || code === 'EROFS' || code === 'EFBIG';
}

/**
 * `what: reason (CODE)` as a UserError, for an errno failure (also one a UserError names, such as
 * writeFileAtomic's `cannot write F (ENOSPC)`); any other error is returned unchanged.
 */
export function describeWriteFailure(e: unknown, what: string, hint?: string): unknown {
  if (e instanceof StorageError) return e;
  const code = errnoCode(e);
  if (!code || (e instanceof UserError && !(code in REASONS))) return e;
  const reason = REASONS[code] ?? (e instanceof Error ? e.message : String(e));
  return new StorageError(`${what}: ${reason} (${code})`, code, hint ?? (e instanceof UserError ? e.hint : undefined));
}
