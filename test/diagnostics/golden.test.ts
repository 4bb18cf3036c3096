/**
 * One golden per front-end diagnostic code: the complete terminal output of `seqloom validate`
 * (frames on stderr, then the summary or the ok line) for a spec that has exactly that problem.
 * Goldens live in test/diagnostics/golden/<CODE>.txt (committed); `npx vitest run -u` rewrites them.
 * The graph stage is stubbed out so these stay about the front end (the graph has its own tests).
 */
import { describe, expect, it } from 'vitest';
import { checkSpecText, formatValidation, runValidate } from '../../src/cli/commands/validate.js';
import { CODE_TITLES } from '../../src/diagnostics/codes.js';
import * as render from '../../src/diagnostics/render.js';
import { schemaDiagnostics } from '../../src/spec/schema-errors.js';
import { parseSpecYaml } from '../../src/spec/parse.js';
import { SEQ2SEQ, LANGUAGE_MODEL, edit } from '../spec/helpers.js';

const noGraph = () => ({ value: null, diagnostics: [] });
const FILE = 'models/spec.yaml';

const CASES: Record<string, string> = {
  Y002: '# a spec with nothing in it\n',
  Y003: edit(SEQ2SEQ, '  logits: { op: dense, input: decoder, units: target.vocab }\n', '  logits: { op: dense, input: decoder, units: target.vocab\n'),
  Y004: edit(SEQ2SEQ, 'task: seq2seq\n', 'task: seq2seq\nname: tiny-again\n'),
  Y005: '- seqloom: 1\n- name: tiny\n',
  Y006: edit(SEQ2SEQ, 'seqloom: 1', 'seqloom: 2'),
  Y007: edit(SEQ2SEQ, 'name: tiny', 'name: !shout tiny'),
  S001: edit(SEQ2SEQ, 'hidden: 16, layers: 2, dropout', 'hiden: 16, layers: 2, dropout'),
  S002: edit(SEQ2SEQ, '{ op: embedding, input: target, dim: 8 }', '{ op: embedding, input: target }'),
  S003: edit(SEQ2SEQ, 'hidden: 16, layers: 2, init', 'hidden: "16", layers: 2, init'),
  S004: edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb'),
  S005: edit(SEQ2SEQ, 'dropout: 0.1', 'dropout: 1.5'),
  S006: edit(SEQ2SEQ, '  context:', '  Context:'),
  S007: edit(SEQ2SEQ, '  context:', '  class:'),
  S008: edit(SEQ2SEQ, '{ op: dense,', '{ op: dens,'),
  S009: edit(SEQ2SEQ, 'graph:\n', 'data:\n  preprocess: [lowercase, nbsp-to-space, lowercase]\ngraph:\n'),
  R001: edit(SEQ2SEQ, 'init: encoder.state', 'init: encoder.stat'),
  N001: edit(SEQ2SEQ, 'graph:\n', 'data:\n  tokens: { tokenizer: char }\ngraph:\n'),
  N002: `${SEQ2SEQ}decode: { strategy: beam, beam_size: 2, n_best: 3 }\n`,
  N003: edit(LANGUAGE_MODEL, 'hidden: 16 }', 'hidden: 16, nonlinearity: relu }'),
  N004: edit(SEQ2SEQ, 'graph:\n', 'data:\n  source: { tokenizer: bpe, max_len: 20 }\ngraph:\n'),
  N005: `${SEQ2SEQ}train:\n  batch_tokens: 8        # tokens per batch\n`,
};

async function terminalOutput(text: string): Promise<string> {
  const out = formatValidation(FILE, await checkSpecText(text, FILE, noGraph), {}, render);
  return `${out.stderr}${out.stdout}--- exit ${out.exitCode}\n`;
}

describe('diagnostic goldens', () => {
  for (const [code, text] of Object.entries(CASES)) {
    it(`${code} (${CODE_TITLES[code as keyof typeof CODE_TITLES]})`, async () => {
      const check = await checkSpecText(text, FILE, noGraph);
      // Exactly one problem, and it is the one this golden is about.
      expect(check.diagnostics.map((d) => d.code)).toEqual([code]);
      await expect(await terminalOutput(text)).toMatchFileSnapshot(`golden/${code}.txt`);
    });
  }

  it('Y001 (cannot read the spec file)', async () => {
    const out = await runValidate('models/no-such-spec.yaml', {}, noGraph);
    expect(out.exitCode).toBe(1);
    await expect(`${out.stderr}${out.stdout}--- exit ${out.exitCode}\n`).toMatchFileSnapshot('golden/Y001.txt');
  });

  it('S010 (fallback for schema keywords without a dedicated message)', async () => {
    const parsed = parseSpecYaml(SEQ2SEQ, FILE).value!;
    const [d] = schemaDiagnostics([{
      instancePath: '/graph/encoder/hidden', schemaPath: '#/properties/hidden/multipleOf', keyword: 'multipleOf',
      params: { multipleOf: 8 }, message: 'must be multiple of 8',
    }], parsed);
    expect(d!.code).toBe('S010');
    await expect(`${render.renderDiagnostic(d!, SEQ2SEQ)}\n`).toMatchFileSnapshot('golden/S010.txt');
  });

  it('covers every front-end code', () => {
    const covered = new Set([...Object.keys(CASES), 'Y001', 'S010']);
    const frontEnd = Object.keys(CODE_TITLES).filter((c) => /^[YSRN]/.test(c)); // G: test/graph, M: test/reliability
    expect(frontEnd.filter((c) => !covered.has(c))).toEqual([]);
  });
});
