/**
 * Issue 11's bad-input target "a BPE spec with merges ≤ 0": the schema's minimum refuses it at the
 * `merges` value's own line and column (0 and a negative count), and `tokenizer: bpe` without any
 * `merges` is N004 (its golden is in test/diagnostics). keep_best without validation data and a
 * batch_tokens below the longest sentence are tested in validation.test.ts and the N005 golden.
 */
import { describe, expect, it } from 'vitest';
import { checkSpecText, formatValidation } from '../../src/cli/commands/validate.js';
import * as render from '../../src/diagnostics/render.js';
import { SEQ2SEQ, edit } from '../spec/helpers.js';

const noGraph = () => ({ value: null, diagnostics: [] });

describe('tokenizer: bpe with merges ≤ 0', () => {
  for (const merges of ['0', '-3']) {
    it(`merges: ${merges} is a located error`, async () => {
      const text = edit(SEQ2SEQ, 'graph:\n', `data:\n  target: { tokenizer: bpe, merges: ${merges}, max_len: 20 }\ngraph:\n`);
      const check = await checkSpecText(text, 'spec.yaml', noGraph);
      expect(check.diagnostics.map((d) => d.code)).toEqual(['S005']);
      const out = formatValidation('spec.yaml', check, {}, render);
      expect(out.exitCode).toBe(1);
      const column = 'data:\n  target: { tokenizer: bpe, merges: '.split('\n')[1]!.length + 1;
      expect(out.stderr).toContain(`spec.yaml:5:${column}: error[S005]: \`merges\` must be at least 1; got ${merges}`);
      expect(out.stderr).toMatch(new RegExp(`\\n\\s*\\|\\s{${column}}\\^{${merges.length}}\\n`));
    });
  }
});
