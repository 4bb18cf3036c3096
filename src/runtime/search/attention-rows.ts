/**
 * Attention weights out of a search (`SearchOptions.attention`): each hypothesis in progress carries
 * one row per generated token — the weights of the step that produced it over its sentence's valid
 * source positions. Rows are immutable copies cut from the step's [rows, T_src] read-back, so
 * hypotheses that share a parent share its rows, and a sentence's rows never depend on the width
 * (T_src) of the batch it was decoded in.
 */
import type { Hypothesis } from '../module.js';
import type { StepLogProbs } from './step-driver.js';
import type { BatchSearchOptions } from './types.js';

/** Attention rows of one hypothesis in progress (null when the search does not collect them). */
export type AttentionRows = readonly Float32Array[] | null;

export class AttentionCollector {
  private step: StepLogProbs | null = null;
  /** Rows cut from the current step, by state row (children of one parent share its row). */
  private readonly cut = new Map<number, Float32Array>();

  private constructor(private readonly lengths: Int32Array | null) {}

  /** A collector when `opts.attention` asks for weights, else null. */
  static of(opts: BatchSearchOptions): AttentionCollector | null {
    if (opts.attention !== true) return null;
    return new AttentionCollector(sourceLengths(opts));
  }

  /** The step whose weights the next `extend` calls read. */
  setStep(step: StepLogProbs): void {
    this.step = step;
    this.cut.clear();
  }

  /** `rows` followed by state row `row`'s weights of this step, cut to `sentence`'s source length. */
  extend(rows: AttentionRows, row: number, sentence: number): Float32Array[] {
    const out = rows === null ? [] : rows.slice();
    out.push(this.row(row, sentence));
    return out;
  }

  /** State row `row`'s weights of this step, cut to `sentence`'s source length (do not modify). */
  row(row: number, sentence: number): Float32Array {
    const cached = this.cut.get(row);
    if (cached !== undefined) return cached;
    const step = this.step;
    if (step?.attention === undefined || step.srcT === undefined) throw new Error('search: no attention weights for this step');
    const srcT = step.srcT;
    const len = this.lengths === null ? srcT : Math.min(srcT, Math.max(0, this.lengths[sentence]!));
    const copy = step.attention.slice(row * srcT, row * srcT + len);
    this.cut.set(row, copy);
    return copy;
  }
}

/** `h` with its attention rows as plain arrays ([steps][src_len]); `h` itself when there are none. */
export function withAttention(h: Hypothesis, rows: AttentionRows): Hypothesis {
  if (rows === null) return h;
  return { ...h, attention: rows.map((r) => Array.from(r)) };
}

function sourceLengths(opts: BatchSearchOptions): Int32Array | null {
  const given = opts.sourceLengths;
  if (given === undefined) return null;
  const values = 'dataSync' in given ? given.dataSync() : given;
  if (values.length !== opts.batch) {
    throw new Error(`search: ${values.length} source lengths for a batch of ${opts.batch} sentences`);
  }
  return Int32Array.from(values as ArrayLike<number>);
}
