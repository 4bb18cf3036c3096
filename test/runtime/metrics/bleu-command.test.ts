/**
 * `seqloom bleu`: the pure core on texts, the file errors (named file and line, UserError, never a
 * stack trace), and the registered commander command end to end on temporary files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { bleuOfFiles, bleuOfTexts, formatBleuReport, register } from '../../../src/cli/commands/bleu.js';
import { UserError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-bleu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const hyp = { text: 'il est riche .\nje suis en retard ?\n', file: 'hyp.txt' };
const ref = { text: 'il est calme .\r\nje suis chez moi .', file: 'ref.txt' };

describe('bleuOfTexts', () => {
  it('corpus BLEU of aligned lines (sacreBLEU value for the seed examples)', () => {
    const report = bleuOfTexts(hyp, ref);
    // sacreBLEU 2.6, tokenize='none': see fixtures/bleu-reference.json, "seed examples as a corpus".
    expect(report.bleu).toBeCloseTo(19.070828081828378, 9);
    expect(report).toMatchObject({ method: 'corpus', maxN: 4, lines: 2, bp: 1, sys_len: 9, ref_len: 9 });
    expect(report.precisions.map((p) => p.toFixed(2))).toEqual(['55.56', '28.57', '10.00', '8.33']);
  });

  it("d2l: the mean of the seed's sentence scores, k = 2 by default", () => {
    const report = bleuOfTexts(hyp, ref, 'd2l');
    const expected = (Math.sqrt(3 / 4) * Math.pow(1 / 3, 0.25) + Math.sqrt(2 / 5) * Math.pow(1 / 4, 0.25)) / 2;
    expect(report.bleu).toBeCloseTo(expected, 12);
    expect((0.658 + 0.447) / 2).toBeCloseTo(report.bleu, 3);
    expect(report.maxN).toBe(2);
    expect(report.precisions).toHaveLength(2);
    expect(report.precisions[0]).toBeCloseTo((3 / 4 + 2 / 5) / 2, 12);
  });

  it('names the file and line when line counts differ', () => {
    const short = { text: 'il est calme .\n', file: 'ref.txt' };
    expect(() => bleuOfTexts(hyp, short)).toThrow(UserError);
    expect(() => bleuOfTexts(hyp, short)).toThrow('hyp.txt:2: line has no counterpart in ref.txt (hyp.txt has 2 lines, ref.txt has 1)');
    expect(() => bleuOfTexts({ ...short, file: 'h.txt' }, { ...hyp, file: 'r.txt' })).toThrow(/^r\.txt:2: line has no counterpart in h\.txt/);
  });

  it('rejects empty files and bad options', () => {
    expect(() => bleuOfTexts({ text: '', file: 'hyp.txt' }, ref)).toThrow('hyp.txt: file is empty');
    expect(() => bleuOfTexts(hyp, ref, 'corpus', 0)).toThrow(/--max-n must be a positive integer/);
    expect(() => bleuOfTexts(hyp, ref, 'chrf' as 'corpus')).toThrow(/unknown BLEU method 'chrf'/);
  });

  it('keeps empty lines as empty segments', () => {
    const report = bleuOfTexts({ text: '\nthe cat sat on the mat\n', file: 'h' }, { text: 'a b\nthe cat sat on the mat\n', file: 'r' });
    expect(report.bleu).toBeCloseTo(71.65313105737896, 9); // sacreBLEU, "empty hypothesis line"
  });
});

describe('bleuOfFiles', () => {
  it('reads files and reports missing ones as UserErrors', () => {
    const h = file('h.txt', hyp.text);
    const r = file('r.txt', ref.text);
    expect(bleuOfFiles(h, r).bleu).toBeCloseTo(19.070828081828378, 9);
    const missing = path.join(dir, 'nope.txt');
    expect(() => bleuOfFiles(missing, r)).toThrow(new UserError(`${missing}: no such file`));
    expect(() => bleuOfFiles(h, dir)).toThrow(/is a directory/);
  });
});

describe('formatBleuReport', () => {
  it('prints sacreBLEU-like text and the JSON contract', () => {
    const report = bleuOfTexts(hyp, ref);
    expect(formatBleuReport(report, false)).toBe('BLEU = 19.07 55.6/28.6/10.0/8.3 (BP = 1.000 ratio = 1.000 hyp_len = 9 ref_len = 9)\n');
    const json = JSON.parse(formatBleuReport(report, true)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['bleu', 'precisions', 'bp', 'sys_len', 'ref_len']);
    expect(json.sys_len).toBe(9);
  });
});

describe('seqloom bleu (registered command)', () => {
  async function run(...args: string[]): Promise<string> {
    const program = new Command('seqloom').exitOverride();
    register(program);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await program.parseAsync(['node', 'seqloom', 'bleu', ...args]);
    } finally {
      spy.mockRestore();
    }
    return out.join('');
  }

  it('prints JSON for --json, with --method and --max-n', async () => {
    const h = file('h2.txt', hyp.text);
    const r = file('r2.txt', ref.text);
    const corpus = JSON.parse(await run('--hyp', h, '--ref', r, '--json')) as { bleu: number };
    expect(corpus.bleu).toBeCloseTo(19.070828081828378, 9);
    const two = JSON.parse(await run('--hyp', h, '--ref', r, '--max-n', '2', '--json')) as { bleu: number; precisions: number[] };
    expect(two.bleu).toBeCloseTo(39.840953644479775, 9); // sacreBLEU, "max order 2"
    expect(two.precisions).toHaveLength(2);
    const d2l = await run('--hyp', h, '--ref', r, '--method', 'd2l');
    expect(d2l).toMatch(/^BLEU \(d2l, k = 2, mean of 2 sentences\) = 0\.553 /);
  });

  it('lets UserErrors through to main (which prints `seqloom: error: …`)', async () => {
    const r = file('r3.txt', ref.text);
    await expect(run('--hyp', path.join(dir, 'missing.txt'), '--ref', r)).rejects.toThrow(UserError);
    await expect(run('--hyp', r, '--ref', r, '--max-n', 'x')).rejects.toThrow(/--max-n must be a positive integer/);
  });
});
