/**
 * A failure the user can act on (bad data file, truncated checkpoint, wrong flag). The CLI prints
 * `seqloom: error: <message>` (plus `help: <hint>`) and exits 1 — never a stack trace.
 */
export class UserError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UserError';
  }
}
