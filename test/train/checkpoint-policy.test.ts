/** `checkpoint_every` / `--checkpoint-every` parsing and the CheckpointPolicy's decisions. */
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { CHECKPOINT_EVERY_PATTERN, describeCheckpointEvery, parseCheckpointEvery } from '../../src/spec/checkpoint-every.js';
import { CheckpointPolicy, DEFAULT_MID_EPOCH_SECONDS } from '../../src/train/session-checkpoint.js';

describe('checkpoint_every', () => {
  it('parses epochs, steps and wall intervals; a bare number only where asked (the flag)', () => {
    expect(parseCheckpointEvery('epoch')).toEqual({ unit: 'epochs', n: 1 });
    expect(parseCheckpointEvery('3 epochs')).toEqual({ unit: 'epochs', n: 3 });
    expect(parseCheckpointEvery('500 steps')).toEqual({ unit: 'steps', n: 500 });
    expect(parseCheckpointEvery('1step')).toEqual({ unit: 'steps', n: 1 });
    expect(parseCheckpointEvery('10 min')).toEqual({ unit: 'seconds', n: 600 });
    expect(parseCheckpointEvery('1.5 h')).toEqual({ unit: 'seconds', n: 5400 });
    expect(parseCheckpointEvery(' 90 s ')).toEqual({ unit: 'seconds', n: 90 });
    expect(parseCheckpointEvery('2', true)).toEqual({ unit: 'epochs', n: 2 });
    expect(parseCheckpointEvery('2')).toEqual({ error: expect.stringMatching(/a unit is needed/) });
    expect(parseCheckpointEvery('2 weeks')).toEqual({ error: expect.stringMatching(/unknown unit "weeks"/) });
    expect(parseCheckpointEvery('1.5 steps')).toEqual({ error: expect.stringMatching(/whole number/) });
    expect(parseCheckpointEvery('0 min')).toEqual({ error: expect.stringMatching(/positive/) });
    expect(parseCheckpointEvery('-1 steps')).toEqual({ error: expect.stringMatching(/expected/) });
    expect(describeCheckpointEvery({ unit: 'seconds', n: 600 })).toBe('10 min');
    expect(describeCheckpointEvery({ unit: 'steps', n: 1 })).toBe('1 step');
  });

  it('the schema pattern is the parser\'s', () => {
    const schema = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../schema/seqloom.schema.json'), 'utf8'));
    const branch = schema.$defs.train.properties.checkpoint_every.anyOf[0];
    expect(branch.pattern).toBe(CHECKPOINT_EVERY_PATTERN);
    const re = new RegExp(CHECKPOINT_EVERY_PATTERN);
    for (const ok of ['epoch', '2 epochs', '500 steps', '10 min', '30 s', '2 h']) expect(re.test(ok), ok).toBe(true);
    for (const bad of ['2', 'weekly', '2 weeks']) expect(re.test(bad), bad).toBe(false);
  });
});

describe('CheckpointPolicy', () => {
  it('every N steps: after steps that are multiples of N, never at a mere epoch end; always the last', () => {
    const p = new CheckpointPolicy({ unit: 'steps', n: 4 }, 0);
    expect([1, 2, 3, 4, 5, 8, 12].map((s) => p.dueAfterStep(s, 0))).toEqual([false, false, false, true, false, true, true]);
    expect(p.dueAtEpochEnd(1, false, 0)).toBe(false);
    expect(p.dueAtEpochEnd(9, true, 0)).toBe(true);
  });

  it('every N epochs: only at epoch ends', () => {
    const p = new CheckpointPolicy({ unit: 'epochs', n: 2 }, 0);
    expect(p.dueAfterStep(4, 1e9)).toBe(false);
    expect([1, 2, 3, 4].map((e) => p.dueAtEpochEnd(e, false, 0))).toEqual([false, true, false, true]);
  });

  it('a wall interval counts from the last save, or the start', async () => {
    const p = new CheckpointPolicy({ unit: 'seconds', n: 60 }, 1000);
    expect(p.dueAfterStep(1, 1000 + 59_000)).toBe(false);
    expect(p.dueAfterStep(1, 1000 + 60_000)).toBe(true);
    expect(p.dueAtEpochEnd(1, false, 1000 + 60_000)).toBe(true);
    await p.timed(async () => {});
    expect(p.dueAfterStep(2, performance.now() + 1000)).toBe(false);
  });

  it('default: the first epoch end saves; mid-epoch only after the 10-minute floor', () => {
    const p = new CheckpointPolicy(undefined, 0);
    expect(p.dueAtEpochEnd(1, false, 5)).toBe(true);
    expect(p.dueAfterStep(100, DEFAULT_MID_EPOCH_SECONDS * 1000 - 1)).toBe(false);
    expect(p.dueAfterStep(100, DEFAULT_MID_EPOCH_SECONDS * 1000)).toBe(true);
  });
});
