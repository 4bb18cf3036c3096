/**
 * `metrics.jsonl` in a checkpoint folder: one JSON object per line, appended as training goes (per
 * epoch, and per N steps or per validation where a run asks for them). The one writer and the one
 * reader of the format; `seqloom report` and the real-corpora features share it.
 *
 *   {"step":120,"epoch":3,"train_loss":1.93,"train_ppl":6.9,"tokens_per_second":10412,"lr":0.005,"seconds":14.2}
 *   {..., "valid_loss":2.1,"valid_ppl":8.2,"valid_bleu":31.5}          (when there is validation data)
 *
 * `step` is the global optimizer step; `epoch` counts completed epochs (a fraction on a mid-epoch
 * record: 2.5 is half way through epoch 3). On long epochs (≥ LONG_EPOCH_BATCHES batches) training
 * also writes `kind: "steps"` records about 20 times an epoch (`StepRecorder`), each with the loss
 * and throughput since the previous record; `seconds` is training wall time since the run started,
 * summed over resumes. A resumed run first drops records past its checkpoint's step, so the log
 * never holds steps the weights never saw.
 */
import fs from 'node:fs';
import path from 'node:path';

export const METRICS_FILE = 'metrics.jsonl';

export interface MetricsRecord {
  step: number;
  epoch: number;
  /** Token-weighted mean training loss since the previous record. */
  train_loss: number;
  train_ppl?: number;
  tokens_per_second: number;
  lr: number;
  seconds: number;
  valid_loss?: number;
  valid_ppl?: number;
  valid_bleu?: number;
  /** Fraction of batch positions that were padding, since the previous record. */
  padding_fraction?: number;
  /** What produced the record: the end of an epoch, a step interval, or a validation. */
  kind?: 'epoch' | 'steps' | 'valid';
  [extra: string]: number | string | undefined;
}

export function metricsPath(dir: string): string {
  return path.join(dir, METRICS_FILE);
}

/** Appends one record (one line, written in a single call so a crash never leaves half a line). */
export function appendMetrics(dir: string, record: MetricsRecord): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(metricsPath(dir), JSON.stringify(finite(record)) + '\n');
}

/**
 * The records of a folder in order; a missing file gives []. A torn last line (a crash mid-write on a
 * file system without atomic appends) and lines that are not JSON objects are skipped.
 */
export function readMetrics(dir: string): MetricsRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(metricsPath(dir), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: MetricsRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as MetricsRecord).step === 'number') out.push(v as MetricsRecord);
    } catch {
      // a torn line: skip it
    }
  }
  return out;
}

/** Keeps only the records at or before `step` (a resume from a checkpoint taken at `step`). */
export function truncateMetricsAfter(dir: string, step: number): void {
  const file = metricsPath(dir);
  if (!fs.existsSync(file)) return;
  const kept = readMetrics(dir).filter((r) => r.step <= step);
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, kept.map((r) => JSON.stringify(r) + '\n').join(''));
  fs.renameSync(tmp, file);
}

/** JSON has no NaN or Infinity: such figures are written as null-free omissions. */
function finite(r: MetricsRecord): MetricsRecord {
  const out: MetricsRecord = { ...r };
  for (const [k, v] of Object.entries(out)) if (typeof v === 'number' && !Number.isFinite(v)) delete out[k];
  return out;
}

/** Epochs with at least this many batches also get per-step records. */
export const LONG_EPOCH_BATCHES = 100;
/** Per-step records per long epoch (about). */
export const STEP_RECORDS_PER_EPOCH = 20;

/** Where training stands after a step (the trainer's StepPoint, as this file needs it). */
export interface StepStanding {
  /** Epoch in progress (1-based), its batch count (0: unknown), the global step. */
  epoch: number;
  batches: number;
  step: number;
  /** This epoch so far: batches done, Σ loss·tokens, Σ tokens, training seconds. */
  progress: { batch: number; lossSum: number; tokens: number; seconds: number };
}

/**
 * Per-step records on long epochs: every ⌈batches / 20⌉ batches (not at an epoch's last batch, which
 * its epoch record covers), the token-weighted loss and tokens/s since the previous record of the
 * epoch. `secondsBefore` is the run's training time before this epoch (resumes included).
 */
export class StepRecorder {
  private last: { epoch: number; lossSum: number; tokens: number; seconds: number } | null = null;

  /** `lr`: the learning rate, or the one of a given step (an lr schedule). */
  constructor(private readonly dir: string, private readonly lr: number | ((step: number) => number)) {}

  afterStep(p: StepStanding, secondsBefore: number): MetricsRecord | null {
    const { batch, tokens } = p.progress;
    if (p.batches < LONG_EPOCH_BATCHES || batch >= p.batches || batch === 0) return null;
    if (batch % Math.ceil(p.batches / STEP_RECORDS_PER_EPOCH) !== 0) return null;
    const from = this.since(p);
    if (tokens - from.tokens <= 0) return null;
    return this.write(p, secondsBefore, from, { kind: 'steps' });
  }

  /** A record now, whatever the cadence (a validation mid-epoch), with `extra` figures. */
  recordNow(p: StepStanding, secondsBefore: number, extra: Partial<MetricsRecord>): MetricsRecord {
    return this.write(p, secondsBefore, this.since(p), extra);
  }

  private since(p: StepStanding): { lossSum: number; tokens: number; seconds: number } {
    return this.last !== null && this.last.epoch === p.epoch ? this.last : { lossSum: 0, tokens: 0, seconds: 0 };
  }

  private write(p: StepStanding, secondsBefore: number, from: { lossSum: number; tokens: number; seconds: number }, extra: Partial<MetricsRecord>): MetricsRecord {
    const { batch, lossSum, tokens, seconds } = p.progress;
    const dTokens = tokens - from.tokens;
    const loss = (lossSum - from.lossSum) / dTokens;
    const record: MetricsRecord = {
      kind: 'steps', step: p.step, epoch: p.epoch - 1 + (p.batches > 0 ? batch / p.batches : 0), train_loss: loss, train_ppl: Math.exp(loss),
      tokens_per_second: dTokens / Math.max(seconds - from.seconds, 1e-9),
      lr: typeof this.lr === 'function' ? this.lr(p.step) : this.lr, seconds: secondsBefore + seconds, ...extra,
    };
    appendMetrics(this.dir, record);
    this.last = { epoch: p.epoch, lossSum, tokens, seconds };
    return record;
  }
}
