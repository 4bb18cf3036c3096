/**
 * `seqloom translate` on awkward input, through the CLI on a tiny checkpoint (1 epoch on the
 * built-in task): an empty string, whitespace, unknown words, emoji and control characters, a
 * sentence far longer than `max_len`, no sentence at all, a folder that is not a checkpoint. Each
 * gives a result and a note saying what was done, or one clear error — never a stack trace.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { BUILT, expectCleanError, expectNoStack, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

let root = '';
beforeAll(() => {
  root = makeTemp('translate');
  fs.writeFileSync(path.join(root, 'tiny.yaml'), tinySeq2seqSpec({ hidden: 4, maxLen: 6 }));
  if (!BUILT) return;
  const r = seqloom(['train', 'tiny.yaml', '--out', 'run'], root);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => removeTemp(root));

interface Doc { results: { source: string; translation: string; score: number; n_best: { translation: string; score: number }[] }[] }

describe.skipIf(!BUILT)('translate on awkward input', () => {
  it('empty, blank, unknown, emoji and over-long sentences each get a translation and a note', () => {
    const long = Array.from({ length: 40 }, (_, i) => ['one', 'two', 'hundred', 'thousand'][i % 4]).join(' ');
    const sentences = ['', '   \t ', 'zebra unicorn', 'one 🦓 \u0007two', long];
    const r = seqloom(['translate', 'run', ...sentences, '--json', '--beam', '2'], root);
    expectNoStack(r);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    expect(doc.results.map((x) => x.source)).toEqual(sentences);
    for (const res of doc.results) {
      expect(typeof res.translation).toBe('string');
      expect(Number.isFinite(res.score)).toBe(true);
      expect(res.n_best.length).toBeGreaterThanOrEqual(1);
      expect(res.translation.split(' ').length).toBeLessThanOrEqual(6); // decode.max_len
    }
    expect(r.stderr).toContain('note: sentence 1 is empty (after preprocessing); translating <eos> alone');
    expect(r.stderr).toContain('note: sentence 2 is empty (after preprocessing); translating <eos> alone');
    expect(r.stderr).toContain('note: sentence 3: "zebra", "unicorn" are not in the source vocabulary; translated as <unk>');
    expect(r.stderr).toMatch(/note: sentence 4: "🦓"(, "[^"]*")* (is|are) not in the source vocabulary/);
    expect(r.stderr).toContain('note: sentence 5 has 40 tokens; data.source.max_len is 6 (<eos> included), so only its first 6 are translated');
  });

  it('plain output: one line per sentence, in order', () => {
    const r = seqloom(['translate', 'run', 'three', '', 'two hundred'], root);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toHaveLength(4); // three lines and the final newline
  });

  it('no sentence, a missing folder, a folder without a checkpoint, a spec file instead of a folder: one clear error', () => {
    const none = seqloom(['translate', 'run'], root);
    expectCleanError(none);
    expect(none.stderr).toMatch(/nothing to translate/);

    const missing = seqloom(['translate', 'no-such-run', 'one'], root);
    expectCleanError(missing);
    expect(missing.stderr).toContain('no-such-run: checkpoint folder not found');

    fs.mkdirSync(path.join(root, 'empty-run'));
    const empty = seqloom(['translate', 'empty-run', 'one'], root);
    expectCleanError(empty);
    expect(empty.stderr).toMatch(/empty-run\/meta\.json is missing/);

    const file = seqloom(['translate', 'tiny.yaml', 'one'], root);
    expectCleanError(file);
    expect(file.stderr).toMatch(/tiny\.yaml: a checkpoint is a folder/);
  });

  it('refuses silly decoding flags with the flag named', () => {
    for (const [flags, message] of [
      [['--beam', '0'], /beam/],
      [['--max-len', '-3'], /max/],
      [['--max-len', '1e400'], /max/],
      [['--n-best', '3'], /n-best 3/],
    ] as const) {
      const r = seqloom(['translate', 'run', 'one', ...flags], root);
      expectNoStack(r);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
  });
});
