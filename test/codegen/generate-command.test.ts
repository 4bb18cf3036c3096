/**
 * `seqloom generate`: writes `<out>/<spec name>.ts` (default `<spec dir>/generated/`), prints the
 * paths written, reports spec errors with their diagnostics and exit status 1 without writing,
 * and is fast (< 1 s per spec once loaded).
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSpecFile } from '../../codegen/index.js';
import { generateCommand } from '../../src/cli/commands/generate.js';
import { REPO, yamlFiles } from './helpers.js';

describe('seqloom generate', () => {
  it('writes each module into -o DIR and prints the paths', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'seqloom-out-'));
    const specs = ['models/d2l-seq2seq-gru.yaml', 'models/timemachine-char-rnn.yaml'];
    const result = await generateCommand(specs, { out, cwd: REPO });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([path.join(out, 'd2l-seq2seq-gru.ts'), path.join(out, 'timemachine-char-rnn.ts')]);
    expect(readdirSync(out).sort()).toEqual(['d2l-seq2seq-gru.ts', 'timemachine-char-rnn.ts']);
    const committed = readFileSync(path.join(REPO, 'models/generated/d2l-seq2seq-gru.ts'), 'utf8');
    expect(readFileSync(path.join(out, 'd2l-seq2seq-gru.ts'), 'utf8')).toBe(committed);
  });

  it('defaults to <spec dir>/generated/ and prints paths relative to the working directory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-spec-'));
    copyFileSync(path.join(REPO, 'models/d2l-seq2seq-lstm.yaml'), path.join(dir, 'lstm.yaml'));
    const result = await generateCommand([path.join(dir, 'lstm.yaml')], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`${path.join('generated', 'lstm.ts')}\n`);
    const text = readFileSync(path.join(dir, 'generated', 'lstm.ts'), 'utf8');
    // Outside any package, the header names the spec file alone: no machine-specific paths.
    expect(text.startsWith('/**\n * @generated from lstm.yaml — DO NOT EDIT\n')).toBe(true);
    expect(text).not.toContain(dir);
  });

  it('reports a bad spec with its diagnostics, writes nothing for it, exits 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-bad-'));
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(path.join(REPO, 'models/d2l-seq2seq-gru.yaml'), 'utf8').replace('cell: &cell gru', 'cell: &cell gruu'));
    const good = path.join(dir, 'good.yaml');
    copyFileSync(path.join(REPO, 'models/d2l-seq2seq-rnn.yaml'), good);
    const result = await generateCommand([bad, good], { cwd: dir, out: path.join(dir, 'out') });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/bad\.yaml:\d+:\d+: error\[S\d{3}\]/);
    expect(result.stderr).toContain('nothing written');
    expect(result.stdout).toBe(`${path.join('out', 'good.ts')}\n`);
    expect(existsSync(path.join(dir, 'out', 'bad.ts'))).toBe(false);
  });

  it('generates each example spec in well under a second', () => {
    const specs = yamlFiles(path.join(REPO, 'models'));
    generateSpecFile(specs[0]!); // loads ts-morph and creates its project once
    const times = specs.map((spec) => {
      const start = performance.now();
      expect(generateSpecFile(spec).value).not.toBeNull();
      return performance.now() - start;
    });
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    console.log(`generate: ${times.map((t) => t.toFixed(0)).join(', ')} ms per spec (mean ${mean.toFixed(0)} ms)`);
    expect(mean).toBeLessThan(1000);
  });
});
