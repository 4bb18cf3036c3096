/**
 * What training steers by, from validation figures: the best value of each metric so far (for
 * `train.keep_best`), early stopping (`train.early_stopping`: `patience` validations in a row
 * without improving its metric), and the learning rate (`train.lr_schedule`: linear warmup over the
 * first `warmup_steps` steps, and reduce-on-plateau: × `factor` after `patience` validations without
 * improving, never below `min_lr`). Its whole state is plain JSON kept in meta.json, so a resumed run
 * steers exactly as an uninterrupted one.
 */
import type { TrainSpec, ValidationMetric } from '../spec/types.js';

/** One validation's figures as the steering reads them. */
export interface ValidationFigures { loss: number; bleu: number | null }

export interface BestRecord { value: number; step: number; epoch: number }

/** meta.json's `steering`. */
export interface SteeringState {
  validations: number;
  best: Partial<Record<ValidationMetric, BestRecord>>;
  /** Validations in a row without improving early stopping's metric. */
  stall: number;
  /** Validations in a row without improving the plateau metric, and the lr factor so far. */
  plateau_stall: number;
  lr_scale: number;
  /** Set when early stopping ended the run. */
  stopped_early?: { step: number; epoch: number };
}

export interface SteeringOutcome {
  /** Metrics whose best value this validation improved. */
  improved: ValidationMetric[];
  /** Early stopping's patience ran out. */
  stop: boolean;
  /** The plateau rule lowered the lr (to this value). */
  lrReducedTo: number | null;
}

export function freshSteering(): SteeringState {
  return { validations: 0, best: {}, stall: 0, plateau_stall: 0, lr_scale: 1 };
}

/** Reads meta.json's steering back; anything malformed starts fresh (older checkpoints have none). */
export function steeringFromMeta(raw: unknown): SteeringState {
  const s = raw as Partial<SteeringState> | null | undefined;
  const fresh = freshSteering();
  if (typeof s !== 'object' || s === null) return fresh;
  const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
  const best: SteeringState['best'] = {};
  for (const m of ['bleu', 'loss'] as const) {
    const b = s.best?.[m];
    if (b && Number.isFinite(b.value) && Number.isInteger(b.step)) best[m] = { value: b.value, step: b.step, epoch: num(b.epoch, 0) };
  }
  return {
    validations: num(s.validations, 0), best, stall: num(s.stall, 0), plateau_stall: num(s.plateau_stall, 0),
    lr_scale: num(s.lr_scale, 1), ...(s.stopped_early ? { stopped_early: s.stopped_early } : {}),
  };
}

function value(f: ValidationFigures, m: ValidationMetric): number | null {
  return m === 'bleu' ? f.bleu : f.loss;
}

function better(m: ValidationMetric, candidate: number, best: BestRecord | undefined): boolean {
  if (!best) return true;
  return m === 'bleu' ? candidate > best.value : candidate < best.value;
}

export class Steering {
  readonly state: SteeringState;

  constructor(private readonly train: TrainSpec, private readonly baseLr: number, state: SteeringState = freshSteering()) {
    this.state = state;
  }

  /** The lr of optimizer step `step` (1-based): warmup ramp × plateau factor, floored at min_lr. */
  lrAt(step: number): number {
    const warmup = this.train.lr_schedule?.warmup_steps ?? 0;
    const ramp = warmup > 0 && step < warmup ? step / warmup : 1;
    const lr = this.baseLr * this.state.lr_scale * ramp;
    const floor = this.train.lr_schedule?.reduce_on_plateau?.min_lr ?? 0;
    return this.state.lr_scale < 1 ? Math.max(lr, floor) : lr;
  }

  /** True when any rule needs validation figures. */
  get needsValidation(): boolean {
    return (this.train.keep_best ?? null) !== null || (this.train.early_stopping ?? null) !== null
      || (this.train.lr_schedule?.reduce_on_plateau ?? null) !== null;
  }

  /**
   * Updates bests and counters with one validation at (step, epoch). `bestOnly`: a last look where
   * the wall budget stopped training, which updates the bests (so keep_best sees the last weights)
   * but no counter, so a --resume afterwards steers as if it had not happened.
   */
  observe(f: ValidationFigures, at: { step: number; epoch: number }, bestOnly = false): SteeringOutcome {
    const s = this.state;
    if (!bestOnly) s.validations++;
    const improved: ValidationMetric[] = [];
    for (const m of ['bleu', 'loss'] as const) {
      const v = value(f, m);
      if (v === null || !Number.isFinite(v)) continue;
      if (better(m, v, s.best[m])) {
        s.best[m] = { value: v, step: at.step, epoch: at.epoch };
        improved.push(m);
      }
    }
    if (bestOnly) return { improved, stop: false, lrReducedTo: null };
    let stop = false;
    const early = this.train.early_stopping ?? null;
    if (early) {
      s.stall = improved.includes(early.metric) ? 0 : s.stall + 1;
      if (s.stall >= early.patience) {
        stop = true;
        s.stopped_early = at;
      }
    }
    let lrReducedTo: number | null = null;
    const plateau = this.train.lr_schedule?.reduce_on_plateau ?? null;
    if (plateau) {
      s.plateau_stall = improved.includes(plateau.metric) ? 0 : s.plateau_stall + 1;
      if (s.plateau_stall >= plateau.patience && this.baseLr * s.lr_scale > plateau.min_lr) {
        s.lr_scale *= plateau.factor;
        s.plateau_stall = 0;
        lrReducedTo = Math.max(this.baseLr * s.lr_scale, plateau.min_lr);
      }
    }
    return { improved, stop, lrReducedTo };
  }
}

/** Sets the lr a tfjs optimizer uses from its next step on (Adam reads `learningRate` each step; SGD has a setter). */
export function setLearningRate(optimizer: unknown, lr: number): void {
  const o = optimizer as { learningRate?: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
