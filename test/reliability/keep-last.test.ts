/**
 * `--keep-last N` / `train.keep_last`: the folder itself is the latest checkpoint (what translate,
 * eval and --resume open); the last N saves are also full checkpoints under `history/step-<step>/`,
 * hard links of the committed files (no copy), the oldest pruned; translate reads a snapshot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { loadCheckpoint } from '../../src/runtime/node/index.js';
import { BUILT, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('keeplast');
  // 86 training pairs, batch 16: 6 steps an epoch; 2 epochs saving every 2 steps = 6 saves.
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 6, limit: 96, batch: 16, epochs: 2 }).replace('  seed: 3\n', '  seed: 3\n  keep_last: 3\n'));
});
afterAll(() => removeTemp(root));

describe.skipIf(!BUILT)('keep_last', () => {
  it('keeps the last 3 saves as full checkpoints under history/, hard-linked, the latest also the folder itself', () => {
    const r = seqloom(['train', 'tiny.yaml', '--out', 'run', '--checkpoint-every', '2 steps', '--show', '0'], root);
    expect(r.code, r.stderr).toBe(0);
    const history = path.join(root, 'run', 'history');
    expect(fs.readdirSync(history)).toEqual(['step-00000008', 'step-00000010', 'step-00000012']);
    const latest = path.join(history, 'step-00000012');
    for (const f of ['model.safetensors', 'optimizer.safetensors', 'meta.json']) {
      expect(fs.statSync(path.join(latest, f)).ino).toBe(fs.statSync(path.join(root, 'run', f)).ino);
    }
    expect(loadCheckpoint(path.join(history, 'step-00000008')).meta).toMatchObject({ epoch: 1, step: 8, epoch_progress: { batch: 2 } });
    const t = seqloom(['translate', 'run/history/step-00000010', 'three hundred', '--json'], root);
    expect(t.code, t.stderr).toBe(0);

    // --keep-last on the command line wins; a resume keeps pruning.
    const more = seqloom(['train', 'tiny.yaml', '--out', 'run', '--resume', '--epochs', '3', '--checkpoint-every', '2 steps', '--keep-last', '2', '--show', '0'], root);
    expect(more.code, more.stderr).toBe(0);
    expect(fs.readdirSync(history)).toEqual(['step-00000016', 'step-00000018']);
  }, 120_000);
});
