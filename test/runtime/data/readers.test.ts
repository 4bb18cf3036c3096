import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstInvalidUtf8, readPairs, readText } from '../../../src/runtime/node/index.js';
import { UserError } from '../../../src/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-readers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(content: string | Uint8Array): string {
  const p = path.join(dir, `f${n++}.tsv`);
  writeFileSync(p, content);
  return p;
}
function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError');
}

describe('readPairs', () => {
  it('reads source<TAB>target, ignoring extra columns (cmn.txt attribution)', () => {
    const p = file('Hi.\t嗨。\tCC-BY 2.0 (France) Attribution: tatoeba.org #538123\nRun.\t你用跑的。\n');
    expect(readPairs(p)).toEqual({ pairs: [{ source: 'Hi.', target: '嗨。' }, { source: 'Run.', target: '你用跑的。' }], warnings: [], skipped: 0 });
  });

  it('strips a BOM and CRLF line ends; a last line without newline counts', () => {
    const p = file('\ufeffGo.\tVa !\r\nHi.\tSalut !\r\nWho?\tQui ?');
    expect(readPairs(p).pairs).toEqual([
      { source: 'Go.', target: 'Va !' }, { source: 'Hi.', target: 'Salut !' }, { source: 'Who?', target: 'Qui ?' },
    ]);
  });

  it('keeps the first `limit` pairs and never looks past them', () => {
    const p = file('a\tb\nc\td\nno tab here\n');
    expect(readPairs(p, { limit: 2 }).pairs).toHaveLength(2);
    expect(() => readPairs(p, { limit: 3 })).toThrow(/:3: line has no tab/);
  });

  it('ignores blank lines', () => {
    expect(readPairs(file('a\tb\n\n  \nc\td\n')).pairs).toHaveLength(2);
  });

  it('missing file, folder, empty file, nothing usable: UserErrors naming the file', () => {
    expect(userError(() => readPairs(path.join(dir, 'nope.tsv'))).message).toMatch(/nope\.tsv: data file not found/);
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    expect(userError(() => readPairs(sub)).message).toMatch(/is a folder/);
    expect(userError(() => readPairs(file(''))).message).toMatch(/data file is empty/);
    expect(userError(() => readPairs(file('\n\n'))).message).toMatch(/no sentence pairs found/);
  });

  it('bad lines are errors with file:line by default', () => {
    const noTab = file('a\tb\nhello world\n');
    expect(userError(() => readPairs(noTab)).message).toBe(`${noTab}:2: line has no tab (expected source<TAB>target)`);
    const emptySrc = file('a\tb\n\tb\n');
    expect(userError(() => readPairs(emptySrc)).message).toMatch(/:2: empty source field/);
    const emptyTgt = file('a\tb\nc\t \td\n');
    expect(userError(() => readPairs(emptyTgt)).message).toMatch(/:2: empty target field/);
    const long = file(`a\tb\n${'x'.repeat(50)}\ty\n`);
    expect(userError(() => readPairs(long, { maxLineBytes: 40 })).message).toMatch(/:2: line is 52 bytes long, over the 40-byte limit/);
  });

  it('invalid UTF-8 names the line and the byte offset', () => {
    const bytes = Buffer.concat([Buffer.from('a\tb\nc\t'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]);
    const err = userError(() => readPairs(file(bytes)));
    expect(err.message).toMatch(/:2: not valid UTF-8 \(byte 0xc3 at byte offset 6 of the file\)/);
  });

  it('on_bad_line: skip counts bad lines and reports the first few with file:line', () => {
    const lines = ['ok\tfine'];
    for (let i = 0; i < 25; i++) lines.push(`bad line ${i}`);
    lines.push('\tno source', 'also\tfine');
    const p = file(lines.join('\n'));
    const read = readPairs(p, { onBadLine: 'skip' });
    expect(read.pairs).toEqual([{ source: 'ok', target: 'fine' }, { source: 'also', target: 'fine' }]);
    expect(read.skipped).toBe(26);
    expect(read.warnings).toHaveLength(21);
    expect(read.warnings[0]).toBe(`${p}:2: line has no tab (expected source<TAB>target)`);
    expect(read.warnings[20]).toBe(`${p}: skipped 26 bad lines (6 not listed)`);
  });

  it('skips undecodable lines under skip and keeps the rest', () => {
    const bytes = Buffer.concat([Buffer.from('a\tb\n'), Buffer.from([0xff, 0x09, 0x41, 0x0a]), Buffer.from('c\td\n')]);
    const read = readPairs(file(bytes), { onBadLine: 'skip' });
    expect(read.pairs.map((p) => p.source)).toEqual(['a', 'c']);
    expect(read.skipped).toBe(1);
    expect(read.warnings[0]).toMatch(/:2: not valid UTF-8 \(byte 0xff at byte offset 4/);
  });

  it('streams a file larger than its 1 MiB read size: lines across piece boundaries, CRLF split at one, a long line skipped', () => {
    const lines: string[] = [];
    let size = 0, i = 0, long = -1;
    while (size < 2.6 * 2 ** 20) {
      let line = `source ${i} ${'é'.repeat(i % 97)}\ttarget ${i}`;
      if (long < 0 && size > 2 ** 20 - 1000) {
        long = i;
        line = `${'x'.repeat(30_000)}\ty`; // over the 10,000-byte limit, across the first piece boundary
      }
      lines.push(line);
      size += Buffer.byteLength(line) + 2;
      i++;
    }
    const text = lines.join('\r\n');
    const p = file(text);
    const read = readPairs(p, { onBadLine: 'skip' });
    expect(read.skipped).toBe(1);
    expect(read.warnings[0]).toBe(`${p}:${long + 1}: line is 30002 bytes long, over the 10000-byte limit (is this the right file and format?)`);
    const expected = lines.filter((_, k) => k !== long).map((l) => {
      const [source, target] = l.split('\t');
      return { source, target };
    });
    expect(read.pairs).toEqual(expected);
  });

  it('rejects a bad limit', () => {
    expect(() => readPairs(file('a\tb\n'), { limit: 0 })).toThrow(/data.limit must be a positive integer/);
  });
});

describe('readText', () => {
  it('joins lines with \\n after BOM/CRLF handling and counts blank lines toward the limit', () => {
    const p = file('\ufeffThe Time Machine\r\n\r\nI\r\nThe Time Traveller\r\n');
    expect(readText(p)).toEqual({ text: 'The Time Machine\n\nI\nThe Time Traveller', lines: 4, warnings: [], skipped: 0 });
    expect(readText(p, { limit: 2 }).text).toBe('The Time Machine\n');
  });

  it('whitespace-only and empty files are errors; undecodable lines follow the policy', () => {
    expect(() => readText(file(' \n\n'))).toThrow(/no text found/);
    expect(() => readText(file(''))).toThrow(/empty/);
    const bytes = Buffer.concat([Buffer.from('one\n'), Buffer.from([0xe2, 0x82]), Buffer.from('\nthree\n')]);
    expect(() => readText(file(bytes))).toThrow(/:2: not valid UTF-8/);
    expect(readText(file(bytes), { onBadLine: 'skip' })).toMatchObject({ text: 'one\nthree', skipped: 1 });
  });
});

describe('firstInvalidUtf8', () => {
  it('agrees with a fatal TextDecoder on valid and invalid inputs', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const cases: number[][] = [
      [0x61], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x98, 0x80], // valid
      [0x80], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf5], [0xe2, 0x82], [0x61, 0xc3],
    ];
    for (const c of cases) {
      const bytes = new Uint8Array(c);
      let valid = true;
      try { decoder.decode(bytes); } catch { valid = false; }
      expect(firstInvalidUtf8(bytes) === -1).toBe(valid);
    }
    expect(firstInvalidUtf8(new Uint8Array([0x61, 0x62, 0xc3]))).toBe(2);
  });

  it('finds the first bad byte: the prefix before it decodes, random bytes included', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const decodes = (b: Uint8Array): boolean => { try { decoder.decode(b); return true; } catch { return false; } };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), fc.string({ maxLength: 6 }), (noise, text) => {
      const bytes = new Uint8Array([...Buffer.from(text), ...noise.map((b) => (b < 0x60 ? b + 0x80 : b))]);
      const at = firstInvalidUtf8(bytes);
      expect(at === -1).toBe(decodes(bytes));
      if (at >= 0) expect(decodes(bytes.subarray(0, at))).toBe(true);
    }), { numRuns: 500 });
  });
});
