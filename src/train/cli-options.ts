/**
 * Option parsers and output helpers shared by the train/translate/sample/eval/forward/decode
 * commands. Parsers throw commander's InvalidArgumentError, so a bad flag reads
 * `error: option '--epochs <n>' argument 'x' is invalid. expected a positive integer`.
 */
import { InvalidArgumentError } from 'commander';
import { parseCheckpointEvery, type CheckpointEvery } from '../spec/checkpoint-every.js';

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer ≥ 0');
  return n;
}

export function integer(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0');
  return n;
}

/** `--checkpoint-every`: `2` (epochs, as before units), `2 epochs`, `500 steps`, `10 min`, `90 s`. */
export function checkpointEvery(value: string): CheckpointEvery {
  const every = parseCheckpointEvery(value, true);
  if ('error' in every) throw new InvalidArgumentError(every.error);
  return every;
}

export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
    return value as T;
  };
}

/**
 * Runs `fn` with console output diverted to stderr, for commands whose stdout must be exactly one
 * JSON document (a library printing a notice would otherwise corrupt it).
 */
export async function withCleanStdout<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  const toStderr = (...args: unknown[]) => { process.stderr.write(`${args.map(String).join(' ')}\n`); };
  console.log = toStderr;
  console.info = toStderr;
  console.warn = toStderr;
  console.debug = toStderr;
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** Writes a whole string to stdout and resolves once it is flushed (large JSON documents). */
export function writeStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}
