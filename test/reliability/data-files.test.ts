/**
 * Bad training data through the real CLI (`node bin/seqloom.js train SPEC --data FILE` as a child
 * process): missing, empty, a folder, not UTF-8, lines without a tab, empty fields, a 1 MB line,
 * random bytes. Each is one clear `seqloom: error:` naming `file:line` (no stack trace, exit 1);
 * with `data.on_bad_line: skip` the bad lines are listed and counted and training goes on; a BOM
 * and CRLF line ends are handled silently (no `\ufeff` or `\r` in the vocabulary).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { BUILT, expectCleanError, expectNoStack, makeTemp, removeTemp, seqloom, tinyLmSpec, tinySeq2seqSpec } from './helpers.js';

let root = '';
const file = (name: string, content: string | Buffer) => {
  fs.writeFileSync(path.join(root, name), content);
  return name;
};
const at = (name: string, line: number) => `${path.join(root, name)}:${line}: `;
const train = (data: string, spec = 'strict.yaml', out = `run-${data.replace(/\W/g, '_')}`) =>
  seqloom(['train', spec, '--data', data, '--out', out], root);

const GOOD = 'one\tun\ntwo\tdeux\nthree\ttrois\nfour\tquatre\n';
const MB_LINE = `${'x'.repeat(1_000_000)}\ty\n`;

beforeAll(() => {
  root = makeTemp('data');
  file('strict.yaml', tinySeq2seqSpec({ hidden: 4, onBadLine: 'error', validFraction: 0 }));
  file('lenient.yaml', tinySeq2seqSpec({ hidden: 4, onBadLine: 'skip', validFraction: 0 }));
  file('lm-strict.yaml', tinyLmSpec({ onBadLine: 'error' }));
  file('lm-lenient.yaml', tinyLmSpec({ onBadLine: 'skip' }));
});
afterAll(() => removeTemp(root));

describe.skipIf(!BUILT)('bad data files through `seqloom train`', () => {
  it('a missing file, an empty file, a folder: one line naming the path', () => {
    const missing = train('nope.tsv');
    expectCleanError(missing);
    expect(missing.stderr).toContain(`${path.join(root, 'nope.tsv')}: data file not found`);

    const empty = train(file('empty.tsv', ''));
    expectCleanError(empty);
    expect(empty.stderr).toContain(`${path.join(root, 'empty.tsv')}: data file is empty`);

    fs.mkdirSync(path.join(root, 'folder.tsv'));
    const folder = train('folder.tsv');
    expectCleanError(folder);
    expect(folder.stderr).toMatch(/folder\.tsv: is a folder/);
  });

  it('not UTF-8 (Latin-1 text, random bytes): file:line and the byte offset', () => {
    const latin1 = train(file('latin1.tsv', Buffer.concat([Buffer.from(GOOD), Buffer.from('caf\xe9\tcaf\xe9\n', 'latin1')])));
    expectCleanError(latin1);
    expect(latin1.stderr).toContain(`${at('latin1.tsv', 5)}not valid UTF-8 (byte 0xe9 at byte offset ${GOOD.length + 3}`);

    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24; // deterministic noise
    const noise = train(file('noise.tsv', bytes));
    expectCleanError(noise);
    expect(noise.stderr).toMatch(/noise\.tsv:\d+: (not valid UTF-8|line has no tab|line is \d+ bytes long)/);
  });

  it('a line without a tab, an empty source or target field: file:line and what is wrong', () => {
    const noTab = train(file('notab.tsv', `${GOOD}just words\n`));
    expectCleanError(noTab);
    expect(noTab.stderr).toContain(`${at('notab.tsv', 5)}line has no tab (expected source<TAB>target)`);
    expect(noTab.stderr).toMatch(/help: fix the line, or set data\.on_bad_line: skip/);

    const emptyTarget = train(file('notarget.tsv', `one\tun\r\ntwo\t  \r\n`));
    expectCleanError(emptyTarget);
    expect(emptyTarget.stderr).toContain(`${at('notarget.tsv', 2)}empty target field`);

    const emptySource = train(file('nosource.tsv', `\tun\n`));
    expectCleanError(emptySource);
    expect(emptySource.stderr).toContain(`${at('nosource.tsv', 1)}empty source field`);
  });

  it('a line of 1 MB is refused by length, not read into the vocabulary', () => {
    const r = train(file('long.tsv', `${GOOD.split('\n')[0]}\n${MB_LINE}`));
    expectCleanError(r);
    expect(r.stderr).toContain(`${at('long.tsv', 2)}line is 1000002 bytes long, over the 10000-byte limit`);
  });

  it('a BOM and CRLF line ends train normally; neither reaches the vocabulary', () => {
    const r = train(file('windows.tsv', `\ufeff${GOOD.replace(/\n/g, '\r\n')}`), 'strict.yaml', 'run-windows');
    expectNoStack(r);
    expect(r.code, r.stderr).toBe(0);
    const vocab = JSON.parse(fs.readFileSync(path.join(root, 'run-windows', 'vocab.json'), 'utf8')) as Record<string, { tokens: string[] }>;
    const tokens = [...vocab.source!.tokens, ...vocab.target!.tokens];
    expect(tokens).toContain('one');
    expect(tokens).toContain('quatre');
    expect(tokens.filter((t) => /[\ufeff\r]/.test(t))).toEqual([]);
  });

  it('on_bad_line: skip lists each bad line as file:line, reports the count, and trains on the rest', () => {
    const bad = Buffer.concat([
      Buffer.from(`\ufeff${GOOD}no tab here\n\tmissing source\nmissing target\t\n`),
      Buffer.from('bad \xff byte\tx\n', 'latin1'),
      Buffer.from(MB_LINE),
      Buffer.from('five\tcinq\r\n'),
    ]);
    const r = train(file('mixed.tsv', bad), 'lenient.yaml', 'run-mixed');
    expectNoStack(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${at('mixed.tsv', 5)}line has no tab`);
    expect(r.stderr).toContain(`${at('mixed.tsv', 6)}empty source field`);
    expect(r.stderr).toContain(`${at('mixed.tsv', 7)}empty target field`);
    expect(r.stderr).toContain(`${at('mixed.tsv', 8)}not valid UTF-8`);
    expect(r.stderr).toContain(`${at('mixed.tsv', 9)}line is 1000002 bytes long`);
    expect(r.stderr).toContain(`${path.join(root, 'mixed.tsv')}: skipped 5 bad lines`);
    expect(r.stderr).toMatch(/\(5 training pairs, 0 held out/);
    expect(r.stdout).toBe('run-mixed\n');

    const allBad = train(file('allbad.tsv', 'no tab\nstill none\n'), 'lenient.yaml');
    expectCleanError(allBad);
    expect(allBad.stderr).toContain(`${path.join(root, 'allbad.tsv')}: no sentence pairs found (2 bad lines skipped)`);
  });

  it('language-model text: file:line under error, counted under skip', () => {
    const text = Buffer.concat([Buffer.from('one two three four five six seven eight nine ten\n'), Buffer.from('\xff\xfe\n', 'latin1'),
      Buffer.from('eleven twelve thirteen fourteen fifteen sixteen\n')]);
    const strict = seqloom(['train', 'lm-strict.yaml', '--data', file('corpus.txt', text), '--out', 'lm-a'], root);
    expectCleanError(strict);
    expect(strict.stderr).toContain(`${at('corpus.txt', 2)}not valid UTF-8`);

    const lenient = seqloom(['train', 'lm-lenient.yaml', '--data', 'corpus.txt', '--out', 'lm-b'], root);
    expectNoStack(lenient);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stderr).toContain(`${path.join(root, 'corpus.txt')}: skipped 1 bad line`);
  });
});
