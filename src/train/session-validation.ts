/**
 * The training session's validation hooks: when to validate (`train.validate_every`: after each
 * epoch, or every N optimizer steps), one metrics.jsonl record per validation (folded into the epoch's
 * record at an epoch's end), a progress line, the best checkpoint (`train.keep_best` → `best/`),
 * early stopping and the lr schedule (steering.ts), and the wall budget (`train --max-time`).
 * session.ts calls `afterStep` / `atEpochEnd` from the trainer's hooks and `stop` as its stop check.
 */
import path from 'node:path';
import type { Spec } from '../spec/types.js';
import type { AnyModule } from '../runtime/module.js';
import { diagnostic } from '../diagnostics/factories.js';
import { renderDiagnostic } from '../diagnostics/render.js';
import { UserError } from '../errors.js';
import type { MetricsRecord, StepRecorder } from './metrics-log.js';
import type { ProgressReporter } from './progress.js';
import type { DecodeSettings } from './search.js';
import { Steering, setLearningRate } from './steering.js';
import type { EpochSummary, StepPoint } from './trainer.js';
import { runValidation, type ValidationResult, type ValidationSet } from './validation.js';

export interface SessionValidationOptions {
  spec: Spec;
  module: AnyModule;
  optimizer: unknown;
  set: ValidationSet | null;
  steering: Steering;
  settings: DecodeSettings;
  reporter: ProgressReporter;
  /** Writes the best checkpoint (`best/`) at this point of training. */
  saveBest: (p: { step: number; epoch: number; point: StepPoint | null }) => Promise<void>;
  /** Writes mid-epoch records (validations), sharing the per-step records' "since the previous record". */
  recorder: StepRecorder;
  /** Training seconds of the epochs completed so far (this run and the ones it resumes), for the records. */
  secondsDone: () => number;
  /** Stop after this many seconds of this run (--max-time), or null. */
  maxSeconds: number | null;
  /** Milliseconds, for the wall budget (tests pass their own); performance.now by default. */
  clock?: () => number;
}

/** The figures a validation adds to a metrics record. */
function validFields(v: ValidationResult): Partial<MetricsRecord> {
  return { valid_loss: v.loss, valid_ppl: v.perplexity, ...(v.bleu === null ? {} : { valid_bleu: v.bleu }) };
}

export class SessionValidation {
  /** Why training should stop (early stopping, the wall budget), or null. */
  stopReason: string | null = null;
  private readonly started: number;
  /** The step of the latest validation, and whether the wall budget ended training. */
  private validatedAt = -1;
  private budgetSpent = false;

  private readonly o: SessionValidationOptions & { clock: () => number };

  constructor(o: SessionValidationOptions) {
    this.o = { ...o, clock: o.clock ?? (() => performance.now()) };
    this.started = this.o.clock();
  }

  get stop(): boolean {
    return this.stopReason !== null;
  }

  private get every(): 'epoch' | 'none' | number {
    return this.o.set === null ? 'none' : this.o.spec.train.validate_every ?? 'epoch';
  }

  /** The lr for the step after `step`; sets it on the optimizer. */
  applyLr(step: number): number {
    const lr = this.o.steering.lrAt(step + 1);
    setLearningRate(this.o.optimizer, lr);
    return lr;
  }

  private validate(at: { step: number; epoch: number }, final = false): { v: ValidationResult; text: string } | null {
    if (this.o.set === null) return null;
    this.validatedAt = at.step;
    const v = runValidation(this.o.module, this.o.set, this.o.settings, this.o.spec.train.bleu_sentences ?? 1000);
    const out = this.o.steering.observe({ loss: v.loss, bleu: v.bleu }, at, final);
    const parts = [`valid loss ${v.loss.toFixed(4)}, perplexity ${v.perplexity.toFixed(2)}`];
    if (v.bleu !== null) parts.push(`BLEU ${v.bleu.toFixed(2)} (${v.decoded} sentences)`);
    const keep = this.o.spec.train.keep_best ?? null;
    if (keep !== null && out.improved.includes(keep)) parts.push(`best ${keep} so far`);
    if (out.lrReducedTo !== null) parts.push(`lr → ${out.lrReducedTo.toPrecision(3)}`);
    if (out.stop) {
      const e = this.o.spec.train.early_stopping!;
      this.stopReason = `early stopping: no better validation ${e.metric} for ${e.patience} validation${e.patience === 1 ? '' : 's'}`;
    }
    return { v, text: `${parts.join(', ')}, ${v.seconds.toFixed(1)}s` };
  }

  private async keepBest(at: { step: number; epoch: number; point: StepPoint | null }, v: ValidationResult): Promise<void> {
    const keep = this.o.spec.train.keep_best ?? null;
    const best = keep === null ? undefined : this.o.steering.state.best[keep];
    if (best && best.step === at.step && best.value === (keep === 'bleu' ? v.bleu : v.loss)) await this.o.saveBest(at);
  }

  /**
   * After each step: a validation every N steps (the epoch's last step validates at the epoch's end
   * instead), the wall budget, the lr of the next step. A call at batch 0 (the trainer stopping
   * before an epoch's first step) does nothing.
   */
  async afterStep(p: StepPoint): Promise<void> {
    if (p.progress.batch === 0) return;
    const lr = this.o.steering.lrAt(p.step);
    const every = this.every;
    const epochEnd = p.batches > 0 && p.progress.batch >= p.batches; // atEpochEnd validates there
    if (typeof every === 'number' && p.step % every === 0 && !epochEnd) await this.validateMidEpoch(p, lr, false);
    // At an epoch's last step the budget is looked at in atEpochEnd instead: stopping here would end
    // the run before the epoch's record, its validation and its checkpoint.
    if (!epochEnd && this.budgetJustSpent()) {
      // A last look where the budget stops training, so best/ also considers the last weights.
      if (every !== 'none' && this.validatedAt !== p.step) await this.validateMidEpoch(p, lr, true);
    }
    this.applyLr(p.step);
  }

  /** Whether --max-time is spent now (first time only): sets the stop reason. */
  private budgetJustSpent(): boolean {
    if (this.o.maxSeconds === null || this.stopReason !== null || (this.o.clock() - this.started) / 1000 < this.o.maxSeconds) return false;
    this.stopReason = `the wall budget (--max-time ${this.o.maxSeconds / 60}) is spent`;
    this.budgetSpent = true;
    return true;
  }

  private async validateMidEpoch(p: StepPoint, lr: number, final: boolean): Promise<void> {
    const epoch = p.epoch - 1 + (p.batches > 0 ? p.progress.batch / p.batches : 0);
    const r = this.validate({ step: p.step, epoch }, final)!;
    this.o.recorder.recordNow(p, this.o.secondsDone(), { kind: 'valid', lr, ...validFields(r.v) });
    this.o.reporter.note(`step ${p.step} (epoch ${epoch.toFixed(2)}): ${r.text}${final ? ' (where the wall budget stops)' : ''}`);
    await this.keepBest({ step: p.step, epoch: p.epoch - 1, point: p }, r.v);
  }

  /**
   * At an epoch's end: with `validate_every: epoch` (or N steps, when the epoch's last step is a
   * multiple of N), a validation whose figures go into the epoch's record (returned), and the best
   * checkpoint.
   */
  async atEpochEnd(s: EpochSummary): Promise<Partial<MetricsRecord>> {
    const lr = this.o.steering.lrAt(s.step);
    const every = this.every;
    this.budgetJustSpent(); // the epoch is whole: its record, validation and checkpoint come before the stop
    const scheduled = every === 'epoch' || (typeof every === 'number' && s.step % every === 0);
    const final = !scheduled && every !== 'none' && this.budgetSpent && this.validatedAt !== s.step;
    if (!scheduled && !final) return { lr };
    const r = this.validate({ step: s.step, epoch: s.epoch }, final)!;
    this.o.reporter.note(`epoch ${s.epoch}: ${r.text}`);
    await this.keepBest({ step: s.step, epoch: s.epoch, point: null }, r.v);
    this.applyLr(s.step); // a plateau reduction applies from the next step
    return { lr, ...validFields(r.v) };
  }
}

/**
 * Refuses, before training, a spec whose keys need validation data when there is none (no held-out
 * split, no --valid file): a located N005 at the first such key.
 */
export function requireValidationData(spec: Spec, available: boolean): void {
  if (available) return;
  const t = spec.train;
  const users: [string, string, boolean][] = [
    ['/train/keep_best', 'keep_best', (t.keep_best ?? null) !== null],
    ['/train/early_stopping', 'early_stopping', (t.early_stopping ?? null) !== null],
    ['/train/lr_schedule/reduce_on_plateau', 'lr_schedule.reduce_on_plateau', (t.lr_schedule?.reduce_on_plateau ?? null) !== null],
    ['/train/validate_every', 'validate_every', spec.ranges['/train/validate_every'] !== undefined && t.validate_every !== 'none'],
  ];
  const first = users.find(([pointer, , used]) => used && spec.ranges[pointer] !== undefined);
  if (!first) return;
  const [pointer, key] = first;
  const file = path.relative(process.cwd(), spec.file) || spec.file;
  const d = diagnostic({
    code: 'N005', file, range: spec.ranges[pointer]!, path: pointer,
    message: `\`${key}\` needs validation data, but there is none: \`data.valid_fraction\` is ${spec.data.valid_fraction} and no --valid file was given`,
    help: 'hold some data out (`data.valid_fraction: 0.01`, say) or pass `--valid FILE`',
  });
  throw new UserError(`cannot train ${spec.name} as specified, refusing before training:\n${renderDiagnostic(d, spec.source)}`);
}
