/** Steering (src/train/steering.ts): bests, early stopping, warmup and reduce-on-plateau, and its state through meta.json. */
import { describe, expect, it } from 'vitest';
import type { TrainSpec } from '../../src/spec/types.js';
import { Steering, steeringFromMeta } from '../../src/train/steering.js';

const base: TrainSpec = {
  loss: 'masked-cross-entropy', teacher_forcing: 1, optimizer: { name: 'adam', lr: 0.01 }, clip_norm: 1, epochs: 1, batch_size: 8, seed: 0, carry_state: false, checkpoint_every: null, keep_last: 1,
};

describe('Steering', () => {
  it('warmup raises the lr linearly over the first N steps', () => {
    const s = new Steering({ ...base, lr_schedule: { warmup_steps: 4, reduce_on_plateau: null } }, 0.01);
    expect([1, 2, 3, 4, 5, 100].map((k) => s.lrAt(k))).toEqual([0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01]);
    expect(new Steering(base, 0.01).lrAt(1)).toBe(0.01);
  });

  it('keeps the best BLEU (higher) and loss (lower) with where they were reached', () => {
    const s = new Steering(base, 0.01);
    expect(s.observe({ loss: 2, bleu: 10 }, { step: 10, epoch: 1 }).improved).toEqual(['bleu', 'loss']);
    expect(s.observe({ loss: 1.5, bleu: 9 }, { step: 20, epoch: 2 }).improved).toEqual(['loss']);
    expect(s.observe({ loss: 1.6, bleu: 12 }, { step: 30, epoch: 3 }).improved).toEqual(['bleu']);
    expect(s.state.best).toEqual({ bleu: { value: 12, step: 30, epoch: 3 }, loss: { value: 1.5, step: 20, epoch: 2 } });
  });

  it('a best-only look (where the wall budget stops) updates the bests but no counter', () => {
    const s = new Steering({ ...base, early_stopping: { metric: 'loss', patience: 1 }, lr_schedule: { warmup_steps: 0, reduce_on_plateau: { metric: 'loss', factor: 0.5, patience: 1, min_lr: 0 } } }, 0.01);
    s.observe({ loss: 2, bleu: null }, { step: 10, epoch: 0 });
    expect(s.observe({ loss: 3, bleu: null }, { step: 15, epoch: 0 }, true)).toEqual({ improved: [], stop: false, lrReducedTo: null });
    expect(s.observe({ loss: 1, bleu: null }, { step: 17, epoch: 0 }, true).improved).toEqual(['loss']);
    expect(s.state).toMatchObject({ validations: 1, stall: 0, plateau_stall: 0, lr_scale: 1, best: { loss: { value: 1, step: 17 } } });
  });

  it('early stopping after `patience` validations in a row without improving its metric', () => {
    const s = new Steering({ ...base, early_stopping: { metric: 'bleu', patience: 2 } }, 0.01);
    const stops = [[5, 1], [6, 2], [6, 3], [7, 4], [7, 5], [7, 6]].map(([bleu, step]) => s.observe({ loss: 1, bleu: bleu! }, { step: step!, epoch: 0 }).stop);
    expect(stops).toEqual([false, false, false, false, false, true]);
    expect(s.state.stopped_early).toEqual({ step: 6, epoch: 0 });
  });

  it('reduce-on-plateau multiplies the lr by factor after patience stalls, never below min_lr', () => {
    const plateau = { metric: 'loss' as const, factor: 0.5, patience: 2, min_lr: 0.003 };
    const s = new Steering({ ...base, lr_schedule: { warmup_steps: 0, reduce_on_plateau: plateau } }, 0.01);
    const lrs: (number | null)[] = [];
    for (const loss of [3, 3, 3, 2, 2, 2, 2, 2]) lrs.push(s.observe({ loss, bleu: null }, { step: 1, epoch: 1 }).lrReducedTo);
    expect(lrs).toEqual([null, null, 0.005, null, null, 0.003, null, null]);
    expect(s.lrAt(1000)).toBe(0.003);
  });

  it('its state survives meta.json (JSON) and steers the same afterwards', () => {
    const spec = { ...base, early_stopping: { metric: 'loss' as const, patience: 3 }, lr_schedule: { warmup_steps: 0, reduce_on_plateau: { metric: 'loss' as const, factor: 0.1, patience: 1, min_lr: 0 } } };
    const a = new Steering(spec, 0.01);
    a.observe({ loss: 2, bleu: 1 }, { step: 1, epoch: 1 });
    a.observe({ loss: 3, bleu: 1 }, { step: 2, epoch: 2 });
    const b = new Steering(spec, 0.01, steeringFromMeta(JSON.parse(JSON.stringify(a.state))));
    expect(b.state).toEqual(a.state);
    expect(b.observe({ loss: 3, bleu: 1 }, { step: 3, epoch: 3 })).toEqual(a.observe({ loss: 3, bleu: 1 }, { step: 3, epoch: 3 }));
    expect(steeringFromMeta(undefined)).toEqual({ validations: 0, best: {}, stall: 0, plateau_stall: 0, lr_scale: 1 });
  });
});
