/** YAML in: what parses (BOM, comments, anchors, merge keys) and what becomes a located diagnostic. */
import { describe, expect, it } from 'vitest';
import { loadSpecText } from '../../src/spec/index.js';
import { parseSpecYaml, unclosedFlowOpener } from '../../src/spec/parse.js';
import { SEQ2SEQ, edit, where } from './helpers.js';

const codes = (text: string) => loadSpecText(text, 'spec.yaml').diagnostics.map((d) => d.code);

describe('what parses', () => {
  it('accepts a byte-order mark, and offsets index the text without it', () => {
    const text = `\uFEFF${edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb')}`;
    const [d] = loadSpecText(text, 'spec.yaml').diagnostics;
    expect(d!.code).toBe('S004');
    expect(where(d!, text)).toMatchObject({ line: 6, column: 35, covered: 'gur' });
  });
  it('accepts comments, anchors, aliases and merge keys, and locates values that came through them', () => {
    const text = `# header comment
seqloom: 1   # version
name: tiny
task: seq2seq
graph:
  src_emb: &emb { op: embedding, input: source, dim: 8 }
  encoder: &rnn { op: recurrent, cell: gru, input: src_emb, hidden: 16 }
  tgt_emb: { <<: *emb, input: target }
  context: { op: repeat, input: encoder.state.top, like: tgt_emb }
  dec_in: { op: concat, inputs: [tgt_emb, context] }
  decoder:
    <<: *rnn
    input: dec_in
    init: encoder.state
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits
`;
    const result = loadSpecText(text, 'spec.yaml');
    expect(result.diagnostics).toEqual([]);
    const spec = result.value!;
    const tgt = spec.nodes.find((n) => n.name === 'tgt_emb')!;
    const decoder = spec.nodes.find((n) => n.name === 'decoder')!;
    expect(tgt).toMatchObject({ op: 'embedding', dim: 8, input: { base: 'target' } });
    expect(decoder).toMatchObject({ op: 'recurrent', cell: 'gru', hidden: 16, input: { base: 'dec_in' }, init: { base: 'encoder', part: 'state' } });
    // A merged value points at the anchor's text; a local override at its own.
    expect(text.slice(tgt.keyRanges.dim!.start, tgt.keyRanges.dim!.end)).toBe('8');
    expect(text.slice(tgt.keyRanges.input!.start, tgt.keyRanges.input!.end)).toBe('target');
    expect(text.slice(decoder.keyRanges.input!.start, decoder.keyRanges.input!.end)).toBe('dec_in');
  });
  it('reports an error inside a merged anchor at the anchor', () => {
    const text = `seqloom: 1\nname: t\ntask: seq2seq\ngraph:\n  a: &base { op: embedding, input: source, dim: -1 }\n  b: { <<: *base, input: target }\noutput: b\n`;
    const diagnostics = loadSpecText(text, 'spec.yaml').diagnostics;
    expect(diagnostics.map((d) => [d.code, d.path])).toEqual([['S005', '/graph/a/dim'], ['S005', '/graph/b/dim']]);
    for (const d of diagnostics) expect(where(d, text)).toMatchObject({ line: 5, covered: '-1' });
  });
  it('accepts CRLF line endings', () => {
    const text = edit(SEQ2SEQ, 'cell: gru, input: src_emb', 'cell: gur, input: src_emb').replace(/\n/g, '\r\n');
    const [d] = loadSpecText(text, 'spec.yaml').diagnostics;
    expect(where(d!, text)).toMatchObject({ line: 6, column: 35, covered: 'gur' });
  });
});

describe('what does not', () => {
  it('an empty file, a comment-only file, a document marker alone', () => {
    for (const text of ['', '\n\n', '# nothing\n', '---\n', '\uFEFF']) expect(codes(text)).toEqual(['Y002']);
  });
  it('a root that is not a mapping', () => {
    for (const text of ['- a\n- b\n', 'just text\n', '42\n', '~\n']) expect(codes(text)).toEqual(['Y005']);
  });
  it('an unsupported version, with the version value marked', () => {
    const text = edit(SEQ2SEQ, 'seqloom: 1', 'seqloom: 2');
    const [d] = loadSpecText(text, 'spec.yaml').diagnostics;
    expect(d!.code).toBe('Y006');
    expect(where(d!, text)).toMatchObject({ line: 1, column: 10, covered: '2' });
    expect(codes(edit(SEQ2SEQ, 'seqloom: 1', 'seqloom: "1"'))).toEqual(['Y006']);
  });
  it('bad indentation', () => {
    const text = edit(SEQ2SEQ, 'task: seq2seq', ' task: seq2seq');
    expect(codes(text)[0]).toBe('Y003');
  });
  it('an unclosed flow collection, reported where it opened', () => {
    const text = edit(SEQ2SEQ, 'inputs: [tgt_emb, context] }', 'inputs: [tgt_emb, context }');
    const diagnostics = loadSpecText(text, 'spec.yaml').diagnostics;
    expect(diagnostics[0]!.code).toBe('Y003');
    expect(where(diagnostics[0]!, text)).toMatchObject({ line: 9, covered: '[' });
  });
  it('a duplicate key, with a note at the first one', () => {
    const text = edit(SEQ2SEQ, '  logits:', '  encoder: { op: dense, input: decoder, units: 3 }\n  logits:');
    const [d] = loadSpecText(text, 'spec.yaml').diagnostics;
    expect(d!.code).toBe('Y004');
    expect(where(d!, text)).toMatchObject({ line: 11, column: 3, covered: 'encoder' });
    expect(d!.notes[0]!.range!.start).toBe(text.indexOf('encoder'));
  });
  it('an alias with no anchor, a recursive alias, a bad merge source, a list as a key', () => {
    expect(codes(edit(SEQ2SEQ, 'output: logits', 'output: *nowhere'))).toEqual(['Y003']);
    expect(codes(`${SEQ2SEQ}train: &t { optimizer: *t }\n`)).toEqual(['Y003']);
    expect(codes(edit(SEQ2SEQ, '{ op: dense,', '{ <<: 3, op: dense,'))).toEqual(['Y003']);
    expect(codes(`${SEQ2SEQ}[a, b]: 1\n`)).toEqual(['Y003']);
  });
  it('an alias bomb and absurd nesting are errors, quickly, not hangs or stack overflows', () => {
    const bomb = ['seqloom: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) {
      const [prev, cur] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      bomb.push(`${cur}: &${cur} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const started = Date.now();
    expect(codes(`${bomb.join('\n')}\n`)).toEqual(['Y003']);
    expect(codes(`seqloom: 1\nx: ${'['.repeat(3000)}${']'.repeat(3000)}\n`)).toEqual(['Y003']);
    expect(Date.now() - started).toBeLessThan(5000);
  });
  it('a second document', () => {
    expect(codes(`${SEQ2SEQ}---\nname: other\n`)).toEqual(['Y003']);
  });
  it('an unknown tag is a warning, not an error', () => {
    const result = loadSpecText(edit(SEQ2SEQ, 'name: tiny', 'name: !x tiny'), 'spec.yaml');
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([['Y007', 'warning']]);
    expect(result.value!.name).toBe('tiny');
  });
});

describe('unclosedFlowOpener', () => {
  it('finds the innermost open bracket, skipping quotes and comments', () => {
    const text = 'a: { b: [1, 2], c: "{[", d: \'x]\' # { [\n  e: [3';
    expect(unclosedFlowOpener(text, text.length)).toBe(text.lastIndexOf('['));
    expect(unclosedFlowOpener('a: {b: 1}\n', 10)).toBeNull();
  });
});

describe('parseSpecYaml', () => {
  it('records value and key ranges by JSON pointer', () => {
    const parsed = parseSpecYaml(SEQ2SEQ, 'spec.yaml').value!;
    const value = parsed.sourceMap.values.get('/graph/dec_in/inputs/1')!;
    const key = parsed.sourceMap.keys.get('/graph/decoder')!;
    expect(SEQ2SEQ.slice(value.start, value.end)).toBe('context');
    expect(SEQ2SEQ.slice(key.start, key.end)).toBe('decoder');
  });
});
