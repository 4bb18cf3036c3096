/**
 * A child process that answers one JSON line per command line (bench/d2l-worker.ts and
 * baselines/d2l_seq2seq.py): the benchmark drives several of them in turn to interleave sides that
 * live in different runtimes.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export class LineWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Array<{ resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited: string | null = null;

  constructor(readonly name: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    this.child.stderr.on('data', (chunk: Buffer) => { this.stderr = (this.stderr + chunk.toString()).slice(-4000); });
    this.child.on('error', (e) => this.fail(`could not start: ${e.message}`));
    this.child.on('exit', (code, signal) => this.fail(`exited (${signal ?? code})`));
  }

  /** The first line the worker prints once it is ready. */
  ready(): Promise<Record<string, unknown>> {
    return this.next();
  }

  /** Sends one command line and waits for its answer. */
  send(command: string): Promise<Record<string, unknown>> {
    if (this.exited !== null) return Promise.reject(new Error(`${this.name}: ${this.exited}`));
    const answer = this.next();
    this.child.stdin.write(command + '\n');
    return answer;
  }

  /** Asks the worker to quit and waits for it to exit. */
  async close(): Promise<void> {
    if (this.exited !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('quit\n');
    await gone;
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (this.exited !== null) reject(new Error(`${this.name}: ${this.exited}`));
      else this.pending.push({ resolve, reject });
    });
  }

  private onLine(line: string): void {
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not a protocol line (a library printing): ignore
    }
    const waiter = this.pending.shift();
    if (waiter === undefined) return;
    if (typeof value.error === 'string') waiter.reject(new Error(`${this.name}: ${value.error}`));
    else waiter.resolve(value);
  }

  private fail(why: string): void {
    if (this.exited !== null) return;
    const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
    this.exited = tail === '' ? why : `${why}: ${tail}`;
    for (const w of this.pending.splice(0)) w.reject(new Error(`${this.name}: ${this.exited}`));
  }
}
