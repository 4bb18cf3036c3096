/**
 * Hostile specs through `seqloom generate`: strings that could break out of generated code or of the
 * output folder — quotes, backticks, `${…}`, newlines, `*\/`, U+2028, `../`, prototype names — in the
 * model name, node names, references, `weights:` prefixes, data paths and the spec's own file name.
 * Each is either refused by the schema/graph checks (nothing written anywhere) or generated into
 * exactly one file inside the output folder that transpiles without a syntax error and imports
 * without running any injected code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { generateCommand } from '../../src/cli/commands/generate.js';
import { moduleTargets } from '../../src/compile/index.js';
import { transpileGenerated } from '../../src/compile/transpile.js';
import { BUILT, expectNoStack, makeTemp, removeTemp, seqloom, tinySeq2seqSpec } from './helpers.js';

const MARK = '__seqloomPwned';
/** Payloads that, if they ever reached code unescaped, would set globalThis.__seqloomPwned or break the syntax. */
const PAYLOADS = [
  `x"+(globalThis.${MARK}=1)+"`,
  `x'+(globalThis.${MARK}=1)+'`,
  `x\`+(globalThis.${MARK}=1)+\``,
  `\${globalThis.${MARK}=1}`,
  `x\n;globalThis.${MARK}=1;//`,
  `x*/;globalThis.${MARK}=1;/*`,
  `x\u2028globalThis.${MARK}=1`,
  '../../outside',
  '__proto__',
  'constructor',
];

const BASE = tinySeq2seqSpec({ name: 'victim', hidden: 4 });

/** Places to put a payload, each a function of the (YAML-quoted) payload. */
const SITES: Record<string, (q: string) => string> = {
  'model name': (q) => BASE.replace('name: victim', `name: ${q}`),
  'node name': (q) => BASE.replace('  context: {', `  ${q}: {`).replace('[tgt_emb, context]', `[tgt_emb, ${q}]`),
  reference: (q) => BASE.replace('input: src_emb,', `input: ${q},`),
  'weights prefix': (q) => BASE.replace('units: target.vocab }', `units: target.vocab, weights: ${q} }`),
  'data path': (q) => BASE.replace('  format: tsv\n', `  format: tsv\n  path: ${q}\n`),
  'decode strategy': (q) => BASE.replace('strategy: greedy', `strategy: ${q}`),
};

let root = '';
let out = '';
beforeAll(() => {
  root = makeTemp('hostile');
  out = path.join(root, 'out');
});
afterAll(() => removeTemp(root));

/** Every file under `dir`, relative. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

/** The generated text must parse, transpile and import without running anything it should not. */
async function compileAndImport(file: string, specName: string): Promise<void> {
  const text = fs.readFileSync(file, 'utf8');
  const syntax = ts.transpileModule(text, { fileName: path.basename(file), reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  expect((syntax.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const js = path.join(root, `import-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(js, transpileGenerated(text, path.basename(file), moduleTargets()));
  const mod = (await import(pathToFileURL(js).href)) as { default: { specName: string; task: string } };
  expect(mod.default.specName).toBe(specName);
  expect((globalThis as Record<string, unknown>)[MARK]).toBeUndefined();
}

describe('hostile strings in a spec never escape into code or outside the output folder', () => {
  for (const [site, place] of Object.entries(SITES)) {
    it(site, async () => {
      let accepted = 0;
      for (const payload of PAYLOADS) {
        fs.rmSync(out, { recursive: true, force: true });
        const spec = path.join(root, 'spec.yaml');
        fs.writeFileSync(spec, place(JSON.stringify(payload)));
        const before = filesUnder(root);
        const r = await generateCommand([spec], { out, cwd: root });
        const after = filesUnder(root);
        if (r.exitCode !== 0) {
          expect(r.written).toEqual([]);
          expect(after).toEqual(before);
          expect(r.stderr).toMatch(/error\[[A-Z]\d{3}\]/);
          continue;
        }
        // Accepted: one new file, directly inside --out, which compiles.
        expect(r.written).toHaveLength(1);
        expect(path.dirname(r.written[0]!)).toBe(out);
        expect(after.filter((f) => !before.includes(f))).toEqual([path.relative(root, r.written[0]!)]);
        await compileAndImport(r.written[0]!, site === 'model name' ? payload : 'victim');
        accepted++;
      }
      // Free text (a data path) is always accepted, so the compile path above really runs.
      if (site === 'data path') expect(accepted).toBe(PAYLOADS.length);
    });
  }

  it('the spec file name (it names the output file and appears in the header)', async () => {
    const names = [...PAYLOADS.filter((p) => !p.includes('/')), 'a b', '.hidden', '-dash', '..'].map((p) => `${p}.yaml`);
    for (const name of names) {
      fs.rmSync(out, { recursive: true, force: true });
      const dir = path.join(root, 'specs');
      fs.mkdirSync(dir, { recursive: true });
      const spec = path.join(dir, name);
      fs.writeFileSync(spec, BASE);
      const r = await generateCommand([spec], { out, cwd: root });
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.written).toHaveLength(1);
      expect(path.dirname(r.written[0]!)).toBe(out);
      expect(path.basename(r.written[0]!)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*\.ts$/);
      expect(filesUnder(out)).toEqual([path.basename(r.written[0]!)]);
      await compileAndImport(r.written[0]!, 'victim');
      fs.rmSync(spec);
    }
  });
});

describe.skipIf(!BUILT)('through the CLI', () => {
  it('generate refuses a hostile node name with a diagnostic and writes nothing', () => {
    fs.writeFileSync(path.join(root, 'evil.yaml'), SITES['node name']!(JSON.stringify('x`${process.exit(9)}`')));
    const r = seqloom(['generate', 'evil.yaml', '-o', 'cli-out'], root);
    expectNoStack(r);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/evil\.yaml:\d+:\d+: error\[S006\]/);
    expect(fs.existsSync(path.join(root, 'cli-out'))).toBe(false);
  });
});
