/**
 * The d2l.ai ch. 10.7 experiment, end to end through the CLI's session: models/d2l-seq2seq-gru.yaml
 * (embed/hidden 32, 2 GRU layers, dropout 0.1, Adam 0.005, clip 1, batch 64, 300 epochs) on the first
 * 600 English–French pairs, then d2l's four test sentences decoded greedily (d2l's predict_seq2seq)
 * and scored with d2l's BLEU (k = 2). The PyTorch reference (d2l 0.17 code, torch 1.13, this machine)
 * translates 3 of the 4 exactly; seqloom must do at least as well.
 *
 * Minutes long: runs only with SEQLOOM_LONG=1, and skips when ../shared/data is absent.
 *   SEQLOOM_LONG=1 npx vitest run test/e2e/d2l-fra.test.ts
 * SEQLOOM_E2E_BACKEND=cpu|wasm picks the backend (default wasm).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTraining } from '../../src/train/session.js';
import { runTranslate } from '../../src/train/run-inference.js';
import { d2lBleu } from '../../src/runtime/metrics/index.js';
import { REPO, sharedData, silentReporter, tempDir } from './helpers.js';

const DATA = sharedData();
const LONG = process.env.SEQLOOM_LONG === '1';
const BACKEND = process.env.SEQLOOM_E2E_BACKEND ?? 'wasm';

/** d2l's test sentences and references (ch. 10.7.6). */
const ENGLISH = ['go .', 'i lost .', "he's calm .", "i'm home ."];
const FRENCH = ['va !', "j'ai perdu .", 'il est calme .', 'je suis chez moi .'];

const root = LONG && DATA ? tempDir('d2l-fra') : '';
afterAll(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

describe.skipIf(!LONG || !DATA)('d2l seq2seq GRU on English–French (SEQLOOM_LONG=1)', () => {
  it('matches the PyTorch reference: at least 3 of d2l\'s 4 sentences exact', async () => {
    const out = path.join(root, 'gru');
    const reporter = silentReporter();
    const t0 = performance.now();
    const outcome = await runTraining({
      specPath: path.join(REPO, 'models/d2l-seq2seq-gru.yaml'), data: path.join(DATA!, 'fra-eng/fra.txt'),
      out, backend: BACKEND, reporter, show: 0,
    });
    const seconds = (performance.now() - t0) / 1000;
    const losses = outcome.result.epochs.map((e) => e.loss);
    console.log(`d2l-fra: 300 epochs on ${outcome.backend} in ${seconds.toFixed(1)}s; loss by 50 epochs: `
      + losses.filter((_, i) => i % 50 === 49 || i === 0).map((l) => l.toFixed(4)).join(' '));
    expect(losses).toHaveLength(300);

    const report: string[] = [];
    let exact = 0;
    for (const strategy of ['greedy', 'beam'] as const) {
      const { results } = await runTranslate({ checkpoint: out, backend: BACKEND, sentences: ENGLISH, flags: { strategy } });
      results.forEach((r, i) => {
        const bleu = d2lBleu(r.translation, FRENCH[i]!, 2);
        if (strategy === 'greedy' && r.translation === FRENCH[i]) exact++;
        report.push(`${strategy}: ${r.source} => ${r.translation}, bleu ${bleu.toFixed(3)}`);
      });
    }
    console.log(report.join('\n'));
    expect(exact).toBeGreaterThanOrEqual(3);
    expect(losses.at(-1)!).toBeLessThan(0.1 * losses[0]!);
  }, 3_600_000);
});
