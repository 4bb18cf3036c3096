/**
 * Validation while training, through the CLI: metrics.jsonl records, `best/` (a checkpoint translate
 * and eval accept), validation never changing what is trained, early stopping, the wall budget,
 * `--valid FILE`, exact resume of the lr schedule's state, and keep_best without validation data
 * refused at its YAML line before anything is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT, expectCleanError, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from '../reliability/helpers.js';
import { readMetrics } from '../../src/train/metrics-log.js';

let root = '';
beforeAll(() => { root = makeTemp('validation'); });
afterAll(() => removeTemp(root));

/** The tiny spec (built-in numbers task, 10% held out) with extra `train:` keys. */
function spec(name: string, train: string, o: Parameters<typeof tinySeq2seqSpec>[0] = {}): string {
  const text = tinySeq2seqSpec({ epochs: 3, limit: 200, batch: 16, ...o }).replace('  seed: 3\n', `  seed: 3\n${train}`);
  fs.writeFileSync(path.join(root, `${name}.yaml`), text);
  return `${name}.yaml`;
}
/** The tensor bytes of a checkpoint's weights (the header also names the spec, whose text differs between these specs). */
function bytes(dir: string): Buffer {
  const file = fs.readFileSync(path.join(root, dir, 'model.safetensors'));
  return file.subarray(8 + Number(file.readBigUInt64LE(0)));
}

describe.skipIf(!BUILT)('validation while training', () => {
  it('appends one record per validation and keeps best/, which translate and eval accept', () => {
    const r = seqloom(['train', spec('best', '  validate_every: 4\n  keep_best: loss\n'), '--out', 'best-run', '--show', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/validating on 20 validation pairs \(the held-out split\) every 4 steps/);
    const records = readMetrics(path.join(root, 'best-run'));
    const valid = records.filter((m) => m.valid_loss !== undefined);
    expect(valid.length).toBeGreaterThanOrEqual(9); // 36 steps (12 a epoch) / 4
    for (const m of valid) {
      for (const k of ['step', 'epoch', 'train_loss', 'valid_loss', 'valid_ppl', 'valid_bleu', 'tokens_per_second', 'lr', 'seconds']) {
        expect(typeof m[k], `${k} in ${JSON.stringify(m)}`).toBe('number');
      }
      expect(m.valid_ppl).toBeCloseTo(Math.exp(m.valid_loss!), 6);
    }
    const best = valid.reduce((a, b) => (b.valid_loss! < a.valid_loss! ? b : a));
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'best-run', 'best', 'meta.json'), 'utf8')) as { step: number };
    expect(meta.step).toBe(best.step);
    const tr = seqloom(['translate', 'best-run/best', 'forty two'], root);
    expect(tr.code, tr.stderr).toBe(0);
    const ev = seqloom(['eval', 'best-run/best', '--json'], root);
    expect(ev.code, ev.stderr).toBe(0);
    expect((JSON.parse(ev.stdout) as { loss: number }).loss).toBeCloseTo(best.valid_loss!, 4);
  });

  it('does not change what is trained: with and without validation, the same weights', () => {
    const a = seqloom(['train', spec('plain', '  validate_every: none\n'), '--out', 'plain-run', '--show', '0'], root);
    const b = seqloom(['train', spec('checked', '  validate_every: 3\n'), '--out', 'checked-run', '--show', '0'], root);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(bytes('checked-run').equals(bytes('plain-run'))).toBe(true);
  });

  it('early stopping ends training, saying why; the checkpoint is saved where it stopped', () => {
    const r = seqloom(['train', spec('early', '  validate_every: 2\n  early_stopping: { metric: bleu, patience: 2 }\n', { lr: '0.0000001', epochs: 20 }),
      '--out', 'early-run', '--show', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stopped at step (\d+): early stopping: no better validation bleu for 2 validations/);
    const step = Number(/stopped at step (\d+)/.exec(r.stderr)![1]);
    expect(step).toBeLessThan(20 * 12);
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'early-run', 'meta.json'), 'utf8')) as { step: number; steering: { stopped_early: unknown } };
    expect(meta.step).toBe(step);
    expect(meta.steering.stopped_early).toBeTruthy();
  });

  it('--max-time stops at the wall budget, validates there for best/, and saves; --resume continues', () => {
    // validate_every is never reached: only the last look where the budget stops validates.
    // More epochs than any machine trains in the 3-second budget: the budget, not the epoch count, ends it.
    const r = seqloom(['train', spec('budget', '  validate_every: 100000\n  keep_best: loss\n', { epochs: 100000 }), '--out', 'budget-run', '--show', '0', '--max-time', '0.05'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stopped at step \d+: the wall budget \(--max-time 0\.05\) is spent/);
    type Meta = { step: number; epoch: number; steering: { validations: number; best: { loss?: { step: number } } } };
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'budget-run', 'meta.json'), 'utf8')) as Meta;
    expect(meta.epoch).toBeLessThan(100000);
    const valid = readMetrics(path.join(root, 'budget-run')).filter((m) => m.valid_loss !== undefined);
    expect(valid.map((m) => m.step)).toEqual([meta.step]);
    expect(meta.steering.best.loss?.step).toBe(meta.step);
    expect(meta.steering.validations).toBe(0); // no counter moved: a resume steers as if it had not happened
    const best = JSON.parse(fs.readFileSync(path.join(root, 'budget-run', 'best', 'meta.json'), 'utf8')) as Meta;
    expect(best.step).toBe(meta.step);
    const again = seqloom(['train', 'budget.yaml', '--out', 'budget-run', '--resume', '--epochs', String(meta.epoch + 2), '--show', '0'], root);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/resuming budget-run/);
  });

  it("--max-time spent on an epoch's last step (one batch an epoch): the epoch ends whole, its record validated, then the run stops", () => {
    const r = seqloom(['train', spec('edge', '  validate_every: 100000\n  keep_best: loss\n', { epochs: 100000, batch: 512 }), '--out', 'edge-run', '--show', '0', '--max-time', '0.02'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/stopped at step \d+: the wall budget \(--max-time 0\.02\) is spent/);
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'edge-run', 'meta.json'), 'utf8')) as { step: number; epoch: number };
    const records = readMetrics(path.join(root, 'edge-run'));
    const last = records[records.length - 1]!;
    expect(last).toMatchObject({ kind: 'epoch', epoch: meta.epoch, step: meta.step });
    expect(records.filter((m) => m.valid_loss !== undefined)).toEqual([last]);
    expect(meta.step).toBe(meta.epoch); // one step an epoch, and the checkpoint is the whole epoch's
    const best = JSON.parse(fs.readFileSync(path.join(root, 'edge-run', 'best', 'meta.json'), 'utf8')) as { step: number };
    expect(best.step).toBe(meta.step);
  });

  it('--valid FILE is the validation set, and a resume keeps using it', () => {
    fs.writeFileSync(path.join(root, 'valid.tsv'), 'one\tun\ntwo\tdeux\nthree\ttrois\n');
    const r = seqloom(['train', spec('vfile', '  keep_best: loss\n', { validFraction: 0, epochs: 1 }), '--out', 'vfile-run', '--show', '0', '--valid', 'valid.tsv'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`validating on 3 validation pairs (${path.join(fs.realpathSync(root), 'valid.tsv')})`);
    const again = seqloom(['train', 'vfile.yaml', '--out', 'vfile-run', '--resume', '--epochs', '2', '--show', '0'], root);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/validating on 3 validation pairs/);
  });

  it('a resume steers exactly: warmup and plateau state come back, 2 + 2 epochs = 4', () => {
    const train = '  validate_every: 5\n  lr_schedule: { warmup_steps: 7, reduce_on_plateau: { metric: bleu, factor: 0.5, patience: 1 } }\n';
    const whole = seqloom(['train', spec('sched', train, { epochs: 4 }), '--out', 'sched-whole', '--show', '0'], root);
    expect(whole.code, whole.stderr).toBe(0);
    const first = seqloom(['train', 'sched.yaml', '--out', 'sched-split', '--epochs', '2', '--show', '0'], root);
    expect(first.code, first.stderr).toBe(0);
    const rest = seqloom(['train', 'sched.yaml', '--out', 'sched-split', '--resume', '--epochs', '4', '--show', '0'], root);
    expect(rest.code, rest.stderr).toBe(0);
    expect(bytes('sched-split').equals(bytes('sched-whole'))).toBe(true);
    const lrs = (dir: string) => readMetrics(path.join(root, dir)).map((m) => [m.step, m.lr, m.valid_bleu]);
    expect(lrs('sched-split')).toEqual(lrs('sched-whole'));
    expect(new Set(readMetrics(path.join(root, 'sched-whole')).map((m) => m.lr)).size).toBeGreaterThan(2); // warmup, then plateaus
  });

  it('--valid and --max-time with --engine torch: one clear line (not yet supported there)', () => {
    const r = seqloom(['train', spec('torchflags', ''), '--engine', 'torch', '--max-time', '1', '--valid', 'v.tsv', '--out', 'torchflags-run'], root);
    expectCleanError(r);
    expect(r.stderr).toContain('--valid and --max-time: not yet supported by --engine torch');
    expect(fs.existsSync(path.join(root, 'torchflags-run'))).toBe(false);
  });

  it('keep_best with no validation data: a located error before anything is written', () => {
    const file = spec('nodata', '  keep_best: bleu\n', { validFraction: 0 });
    const r = seqloom(['train', file, '--out', 'nodata-run'], root);
    expectCleanError(r);
    expect(r.stderr).toMatch(/nodata\.yaml:\d+:\d+: error\[N005\]: `keep_best` needs validation data, but there is none/);
    expect(r.stderr).toMatch(/keep_best: bleu\n\s+\|\s+\^+/);
    expect(fs.existsSync(path.join(root, 'nodata-run'))).toBe(false);
  });
});
