/**
 * The target, end to end through the CLI (SEQLOOM_LONG=1 only: about 30 s on 2 cores):
 * models/numbers-gru.yaml trained by `train --engine torch` (10 epochs, one process) gets corpus
 * BLEU ≥ 90 through `seqloom eval` (measured 99.94, as the tfjs run gets).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { describeWithSystem, systemTorch } from '../helpers/system.js';
import { BIN, BUILT, REPO } from '../reliability/helpers.js';

const LONG = process.env['SEQLOOM_LONG'] === '1';

describeWithSystem(systemTorch(), 'numbers-gru trained by the torch engine', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-torch-bleu-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it.skipIf(!LONG || !BUILT)('gets BLEU ≥ 90 through seqloom eval (SEQLOOM_LONG=1)', () => {
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd: root, encoding: 'utf8', timeout: 600_000 });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    cli(['train', path.join(REPO, 'models/numbers-gru.yaml'), '--engine', 'torch', '--out', 'run', '--show', '0', '--quiet']);
    const result = JSON.parse(cli(['eval', 'run', '--json'])) as { sentences: number; bleu: { score: number } };
    expect(result.sentences).toBe(300);
    expect(result.bleu.score).toBeGreaterThanOrEqual(90);
  }, 900_000);
});
