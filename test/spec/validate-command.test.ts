/** `seqloom validate` as the CLI contract states it: exit codes, terminal frames, the JSON form. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register, runValidate } from '../../src/cli/commands/validate.js';
import { SEQ2SEQ, edit, MODELS } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'seqloom-validate-'));
const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('seqloom validate', () => {
  it('a valid spec: exit 0, an ok line, nothing on stderr', async () => {
    const out = await runValidate(join(MODELS, 'd2l-seq2seq-gru.yaml'));
    expect(out).toEqual({ exitCode: 0, stdout: `${join(MODELS, 'd2l-seq2seq-gru.yaml')}: ok (seq2seq, 7 nodes)\n`, stderr: '' });
    expect(await runValidate(join(MODELS, 'd2l-seq2seq-gru.yaml'), { json: true })).toEqual({ exitCode: 0, stdout: '[]\n', stderr: '' });
  });

  it('errors: exit 1, frames on stderr with file:line:col, error[CODE], the line, carets and help', async () => {
    const path = write('bad.yaml', edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb'));
    const out = await runValidate(path);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.split('\n').slice(0, 5)).toEqual([
      `${path}:6:35: error[S004]: \`gur\` is not a valid \`cell\` value`,
      '   |',
      ' 6 |   encoder: { op: recurrent, cell: gur, input: src_emb, hidden: 16, layers: 2, dropout: 0.1 }',
      '   |                                   ^^^',
      '   = help: did you mean `gru`?',
    ]);
    expect(out.stderr.trimEnd().endsWith(`${path}: 1 error`)).toBe(true);
  });

  it('--json: an array of {code, severity, message, file, line, column, endLine, endColumn, path, suggestion?}', async () => {
    const path = write('bad-json.yaml', edit(edit(SEQ2SEQ, '{ op: dense,', '{ op: dens,'), 'hidden: 16, layers: 2, dropout', 'hiden: 16, layers: 2, dropout'));
    const out = await runValidate(path, { json: true });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual([
      { code: 'S001', severity: 'error', message: 'unknown key `hiden` in recurrent node `encoder`', file: path,
        line: 6, column: 56, endLine: 6, endColumn: 61, path: '/graph/encoder/hiden', suggestion: 'hidden' },
      { code: 'S008', severity: 'error', message: 'unknown op `dens` for node `logits`', file: path,
        line: 11, column: 17, endLine: 11, endColumn: 21, path: '/graph/logits/op', suggestion: 'dense' },
    ]);
  });

  it('graph diagnostics are reported too, against the path as given', async () => {
    const path = write('dangling.yaml', edit(SEQ2SEQ, 'input: dec_in,', 'input: dec_inn,'));
    const out = await runValidate(path, { json: true });
    const diagnostics = JSON.parse(out.stdout) as { code: string; file: string; line: number; suggestion?: string }[];
    expect(out.exitCode).toBe(1);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ code: expect.stringMatching(/^G\d{3}$/), file: path, line: 10 });
  });

  it('an unreadable path is a clear error, not a stack trace', async () => {
    for (const [path, reason] of [[join(dir, 'missing.yaml'), 'no such file'], [dir, 'it is a directory']] as const) {
      const out = await runValidate(path);
      expect(out).toEqual({ exitCode: 1, stdout: '', stderr: `${path}: error[Y001]: cannot read the spec file: ${reason}\n\n${path}: 1 error\n` });
      const json = JSON.parse((await runValidate(path, { json: true })).stdout);
      expect(json).toEqual([{ code: 'Y001', severity: 'error', message: `cannot read the spec file: ${reason}`, file: path,
        line: 1, column: 1, endLine: 1, endColumn: 1, path: '' }]);
    }
  });

  it('warnings alone do not fail', async () => {
    const path = write('warn.yaml', edit(SEQ2SEQ, 'name: tiny', 'name: !odd tiny'));
    const out = await runValidate(path);
    expect(out.exitCode).toBe(0);
    expect(out.stderr).toContain('warning[Y007]');
    expect(out.stdout).toBe(`${path}: ok (seq2seq, 7 nodes; 1 warning)\n`);
  });

  it('registers `validate <spec> [--json]` on a commander program', async () => {
    const program = new Command('seqloom').exitOverride();
    register(program);
    const command = program.commands.find((c) => c.name() === 'validate')!;
    expect(command.options.map((o) => o.long)).toEqual(['--json']);
    const path = write('cli.yaml', SEQ2SEQ);
    const written: string[] = [];
    const write0 = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => { written.push(String(chunk)); return true; }) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'seqloom', 'validate', path, '--json']);
    } finally {
      process.stdout.write = write0;
    }
    expect(written.join('')).toBe('[]\n');
    expect(process.exitCode ?? 0).toBe(0);
  });
});
