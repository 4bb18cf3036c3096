/**
 * The wall budget (`train --max-time`) in the session's validation hooks, on a clock the test owns:
 * wherever the budget runs out, the run validates once where it stops (for best/), and a budget that
 * runs out on an epoch's last step lets that epoch finish (its record, validation and checkpoint).
 * CI once caught the second case only by chance: the run stopped after the epoch's last step, before
 * the epoch's hook, and nothing was validated.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Spec } from '../../src/spec/types.js';
import type { AnyModule } from '../../src/runtime/module.js';
import type { StepRecorder } from '../../src/train/metrics-log.js';
import type { ProgressReporter } from '../../src/train/progress.js';
import type { DecodeSettings } from '../../src/train/search.js';
import type { ValidationSet } from '../../src/train/validation.js';
import type { StepPoint } from '../../src/train/trainer.js';

vi.mock('../../src/train/validation.js', () => ({
  runValidation: vi.fn(() => ({ loss: 1.5, perplexity: Math.exp(1.5), bleu: 12, size: 3, decoded: 3, seconds: 0.01 })),
}));

const { SessionValidation } = await import('../../src/train/session-validation.js');
const { Steering } = await import('../../src/train/steering.js');
const { freshSteering } = await import('../../src/train/steering.js');

const BATCHES = 12;

function session(now: { ms: number }) {
  const train = {
    loss: 'masked-cross-entropy', teacher_forcing: 1, optimizer: { name: 'adam', lr: 0.01 }, clip_norm: 1, epochs: 200, batch_size: 8,
    seed: 0, carry_state: false, checkpoint_every: null, keep_last: 1, validate_every: 100000, keep_best: 'loss',
  } as unknown as Spec['train'];
  const steering = new Steering(train, 0.01, freshSteering());
  const notes: string[] = [];
  const saveBest = vi.fn(async () => {});
  const recordNow = vi.fn((..._args: unknown[]) => ({}));
  const s = new SessionValidation({
    spec: { train } as unknown as Spec, module: {} as AnyModule, optimizer: {}, set: {} as ValidationSet, steering,
    settings: {} as DecodeSettings, reporter: { note: (t: string) => notes.push(t) } as unknown as ProgressReporter,
    saveBest, recorder: { recordNow } as unknown as StepRecorder, secondsDone: () => 0, maxSeconds: 3,
    clock: () => now.ms,
  });
  return { s, steering, notes, saveBest, recordNow };
}

const point = (epoch: number, batch: number): StepPoint => ({
  epoch, batches: BATCHES, step: (epoch - 1) * BATCHES + batch, carried: null,
  progress: { batch, lossSum: batch, tokens: batch * 10, normSum: batch, seconds: 1 },
});

const summary = (epoch: number) => ({
  epoch, loss: 1, perplexity: Math.E, gradNorm: 1, tokens: 120, seconds: 1, tokensPerSecond: 120, step: epoch * BATCHES,
});

describe('the wall budget in the session', () => {
  it('spent mid-epoch: stops at that step and validates there once, for best/', async () => {
    const now = { ms: 0 };
    const { s, steering, saveBest, recordNow } = session(now);
    await s.afterStep(point(1, 4));
    expect(s.stop).toBe(false);
    now.ms = 3000;
    await s.afterStep(point(1, 5));
    expect(s.stopReason).toBe('the wall budget (--max-time 0.05) is spent');
    expect(recordNow).toHaveBeenCalledTimes(1);
    expect(recordNow.mock.calls[0]![2]).toMatchObject({ kind: 'valid', valid_loss: 1.5 });
    expect(saveBest).toHaveBeenCalledTimes(1);
    expect(steering.state.best.loss?.step).toBe(5);
    expect(steering.state.validations).toBe(0); // a last look: no early-stopping or plateau counter moves
  });

  it("spent on an epoch's last step: the run goes on to the epoch's end, which validates and then stops", async () => {
    const now = { ms: 0 };
    const { s, steering, saveBest, recordNow } = session(now);
    now.ms = 3500;
    await s.afterStep(point(2, BATCHES));
    expect(s.stop).toBe(false); // stopping here would skip the epoch's hook: no record, no validation, no epoch checkpoint
    expect(recordNow).not.toHaveBeenCalled();
    const fields = await s.atEpochEnd(summary(2));
    expect(s.stop).toBe(true);
    expect(fields).toMatchObject({ valid_loss: 1.5, valid_bleu: 12 });
    expect(saveBest).toHaveBeenCalledTimes(1);
    expect(steering.state.best.loss?.step).toBe(2 * BATCHES);
    expect(steering.state.validations).toBe(0);
  });

  it('not spent: an epoch end with validate_every beyond it validates nothing', async () => {
    const now = { ms: 0 };
    const { s, saveBest } = session(now);
    await s.afterStep(point(1, BATCHES));
    expect(await s.atEpochEnd(summary(1))).toEqual({ lr: 0.01 });
    expect(s.stop).toBe(false);
    expect(saveBest).not.toHaveBeenCalled();
  });
});
