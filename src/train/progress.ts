/**
 * Training progress on stderr: a cli-progress bar per epoch on a terminal, plain log lines
 * otherwise (CI logs, pipes), and a summary at the end. Implements the trainer's TrainObserver.
 */
import cliProgress from 'cli-progress';
import type { BatchProgress, EpochSummary, TrainObserver, TrainResult } from './trainer.js';

export interface ProgressStream { write(s: string): unknown; isTTY?: boolean }

export interface ProgressReporter extends TrainObserver {
  /** A line outside the bar (a checkpoint saved, a warning). */
  note(message: string): void;
  summary(result: TrainResult, extra?: string): void;
  stop(): void;
}

export function createProgressReporter(
  stream: ProgressStream = process.stderr,
  opts: { tty?: boolean; quiet?: boolean } = {},
): ProgressReporter {
  if (opts.quiet) return quietReporter();
  return (opts.tty ?? stream.isTTY === true) ? new BarReporter(stream) : new LineReporter(stream);
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** `, padding 4.2%` for seq2seq epochs (the share of batch positions that were padding). */
function paddingText(s: { paddingFraction?: number }): string {
  return s.paddingFraction === undefined ? '' : `, padding ${(100 * s.paddingFraction).toFixed(1)}%`;
}

function formatPpl(p: number): string {
  return p >= 1e6 ? p.toExponential(2) : p.toFixed(2);
}

/** Remaining time from the average epoch duration so far. */
class EtaClock {
  private readonly start = performance.now();
  private done = 0;
  epochDone(): void { this.done++; }
  remaining(epochsLeft: number, fractionOfCurrent = 0): number {
    const elapsed = (performance.now() - this.start) / 1000;
    const progress = this.done + fractionOfCurrent;
    return progress > 0 ? (elapsed / progress) * (epochsLeft - fractionOfCurrent) : NaN;
  }
}

function summaryLine(result: TrainResult, extra?: string): string {
  const last = result.epochs.at(-1);
  if (!last && result.stopped && result.stopped.batch > 0) {
    const tps = result.tokens / Math.max(result.seconds, 1e-9);
    return `stopped in epoch ${result.stopped.epoch} after ${result.stopped.batch} batch(es), step ${result.stopped.step}, `
      + `in ${formatSeconds(result.seconds)}: ${Math.round(tps)} tokens/s${extra ? `; ${extra}` : ''}\n`;
  }
  if (!last) return `nothing to train${extra ? `; ${extra}` : ''}\n`;
  const tps = result.tokens / Math.max(result.seconds, 1e-9);
  return `trained ${result.epochs.length} epoch(s) to epoch ${last.epoch} in ${formatSeconds(result.seconds)}: `
    + `loss ${last.loss.toFixed(4)}, perplexity ${formatPpl(last.perplexity)}, ${Math.round(tps)} tokens/s`
    + `${extra ? `; ${extra}` : ''}\n`;
}

/** Non-TTY: one line per epoch, plus a line every ~30 s inside long epochs. */
class LineReporter implements ProgressReporter {
  private eta = new EtaClock();
  private lastLine = 0;
  constructor(private readonly out: ProgressStream) {}
  epochStart(): void { this.lastLine = performance.now(); }
  batchEnd(p: BatchProgress): void {
    const now = performance.now();
    if (now - this.lastLine < 30_000) return;
    this.lastLine = now;
    this.out.write(`epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches}: loss ${p.epochLoss.toFixed(4)}, `
      + `${Math.round(p.tokensPerSecond)} tokens/s\n`);
  }
  epochEnd(s: EpochSummary, epochs: number): void {
    this.eta.epochDone();
    const eta = this.eta.remaining(epochs - s.epoch);
    this.out.write(`epoch ${s.epoch}/${epochs}: loss ${s.loss.toFixed(4)}, perplexity ${formatPpl(s.perplexity)}, `
      + `${Math.round(s.tokensPerSecond)} tokens/s${paddingText(s)}, ${formatSeconds(s.seconds)}`
      + `${s.epoch < epochs ? `, ETA ${formatSeconds(eta)}` : ''}\n`);
  }
  note(message: string): void { this.out.write(`${message}\n`); }
  summary(result: TrainResult, extra?: string): void { this.out.write(summaryLine(result, extra)); }
  stop(): void {}
}

/** TTY: a bar per epoch that stays on screen when the epoch ends. */
class BarReporter implements ProgressReporter {
  private bar: cliProgress.SingleBar | null = null;
  private eta = new EtaClock();
  constructor(private readonly out: ProgressStream) {}
  epochStart(epoch: number, epochs: number, batches: number): void {
    this.stop();
    this.bar = new cliProgress.SingleBar({
      stream: this.out as NodeJS.WritableStream,
      format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} | loss {loss} | ppl {ppl} | {tps} tok/s{pad} | ETA {eta_formatted} (all {run_eta})`,
      barsize: 24,
      hideCursor: null,
      clearOnComplete: false,
      etaBuffer: 50,
    }, cliProgress.Presets.shades_classic);
    this.bar.start(Math.max(batches, 1), 0, { loss: '-', ppl: '-', tps: '-', run_eta: '?', pad: '' });
  }
  batchEnd(p: BatchProgress): void {
    const left = p.epochs - p.epoch + 1;
    this.bar?.update(p.batch, {
      loss: p.epochLoss.toFixed(4), ppl: formatPpl(Math.exp(p.epochLoss)), tps: Math.round(p.tokensPerSecond),
      run_eta: formatSeconds(this.eta.remaining(left, p.batch / Math.max(p.batches, 1))),
    });
  }
  epochEnd(s: EpochSummary, epochs: number): void {
    this.eta.epochDone();
    this.bar?.update({
      loss: s.loss.toFixed(4), ppl: formatPpl(s.perplexity), tps: Math.round(s.tokensPerSecond), pad: paddingText(s).replace(',', ' |'),
      run_eta: formatSeconds(this.eta.remaining(epochs - s.epoch)),
    });
    this.stop();
  }
  note(message: string): void {
    if (this.bar) {
      this.out.write('\r\x1b[2K');
      this.out.write(`${message}\n`);
      this.bar.render();
    } else {
      this.out.write(`${message}\n`);
    }
  }
  summary(result: TrainResult, extra?: string): void { this.stop(); this.out.write(summaryLine(result, extra)); }
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  }
}

function quietReporter(): ProgressReporter {
  return { note() {}, summary() {}, stop() {} };
}
