/**
 * Ctrl-C and `kill` during training. The first SIGINT or SIGTERM only records the request: the
 * trainer finishes its current step, saves a checkpoint there (mid-epoch if need be) and the command
 * prints where it is and the exact `--resume` command, then exits 130 (SIGINT) or 143 (SIGTERM).
 * The watcher then removes its handlers, so a second signal gets the default action and ends the
 * process at once — even inside a step or a save; the checkpoint journal keeps the last good
 * checkpoint whole, as it does for kill -9.
 */
import path from 'node:path';
import { describeSaved, type SavedAt } from './run-saver.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Shell exit status for a signal: 128 + its number. */
export const SIGNAL_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export class InterruptWatch {
  private received: StopSignal | null = null;
  private readonly handlers = new Map<StopSignal, () => void>();

  constructor(private readonly onFirst?: (signal: StopSignal) => void) {}

  /** Starts listening for SIGINT and SIGTERM. */
  install(): this {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = () => {
        this.received = signal;
        this.uninstall(); // the next signal: default action, immediate exit
        this.onFirst?.(signal);
      };
      this.handlers.set(signal, handler);
      process.on(signal, handler);
    }
    return this;
  }

  uninstall(): void {
    for (const [signal, handler] of this.handlers) process.removeListener(signal, handler);
    this.handlers.clear();
  }

  /** The first signal received, or null. */
  get signal(): StopSignal | null {
    return this.received;
  }
}

/** `word` quoted for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * How the user ran seqloom: through a bin link in some node_modules/.bin (`npx seqloom`, a local
 * install), a `seqloom` on PATH (a global install), or `node <script>`.
 */
export function invocation(argv = process.argv, cwd = process.cwd()): string {
  const script = argv[1] ?? 'seqloom';
  if (path.basename(script) === 'seqloom') {
    return path.basename(path.dirname(script)) === '.bin' && path.basename(path.dirname(path.dirname(script))) === 'node_modules'
      ? 'npx seqloom' : 'seqloom';
  }
  const rel = path.relative(cwd, script);
  return `node ${shellQuote(rel.startsWith('..') || path.isAbsolute(rel) ? script : rel)}`;
}

/** Options `train --resume` must not repeat (with whether they take a value). */
const DROPPED: Record<string, boolean> = { '--resume': false, '--overwrite': false, '--out': true, '--seed': true };

/**
 * The command that continues this run: the same `train` arguments without --overwrite/--seed/--out,
 * then `--out DIR --resume`. `args` are the arguments after the script (`train SPEC ...`).
 */
export function resumeCommand(args: readonly string[], outDir: string, prefix = invocation()): string {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag] = a.split('=', 1) as [string];
    if (flag in DROPPED) {
      if (DROPPED[flag] && !a.includes('=')) i++;
      continue;
    }
    kept.push(a);
  }
  return [prefix, ...kept.map(shellQuote), '--out', shellQuote(outDir), '--resume'].join(' ');
}

/** The one line an interrupted run ends with: where the work is and the command that continues it. */
export function describeInterrupt(signal: StopSignal, outDir: string, saved: SavedAt, resume: string): string {
  if (saved.step === 0) return `seqloom: interrupted (${signal}) before the first step; nothing was saved in ${outDir}`;
  return `seqloom: interrupted (${signal}): checkpoint in ${outDir} at ${describeSaved(saved)}${saved.batch > 0 ? '' : `, step ${saved.step}`}; resume with: ${resume}`;
}
