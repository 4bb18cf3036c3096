/**
 * The generator's framework layer: the symbol table (reserved words, collisions, stability), class
 * names, escaping of every string that reaches code or comments, output file names, and the guard
 * that keeps a written module inside its output directory.
 */
import fc from 'fast-check';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleFileName, writeGeneratedModule } from '../../codegen/index.js';
import { SymbolTable, pascalClassName } from '../../codegen/framework/symbols.js';
import { commentText, stringLiteral } from '../../codegen/framework/text.js';

describe('SymbolTable', () => {
  it('renames reserved words, globals of its own and earlier names; is stable per key', () => {
    const t = new SymbolTable(['tf', 'state']);
    expect(t.declare('encoder')).toBe('encoder');
    expect(t.declare('encoder')).toBe('encoder');
    expect(t.declare('class')).toBe('class_');
    expect(t.declare('tf')).toBe('tf_');
    expect(t.declare('state')).toBe('state_');
    expect(t.declare('__proto__')).toBe('__proto___');
    expect(t.declare('constructor')).toBe('constructor_');
    expect(t.declare('a', 'encoder')).toBe('encoder_');
    expect(t.declare('b', 'encoder')).toBe('encoder_2');
    expect(t.declare('c', 'class_')).toBe('class__');
    expect(t.get('class')).toBe('class_');
    expect(() => t.get('nope')).toThrow(/no symbol/);
  });

  it('hands out distinct valid identifiers for any names', () => {
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 30 }), (names) => {
      const t = new SymbolTable(['tf']);
      const ids = [...new Set(names)].map((n) => t.declare(n));
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z_$][A-Za-z0-9_$]*$/);
    }));
  });
});

describe('pascalClassName', () => {
  it('PascalCases the spec name', () => {
    expect(pascalClassName('d2l-seq2seq-gru', new Set())).toBe('D2lSeq2seqGru');
  });
  it('avoids globals, imports and names whose derived types would collide', () => {
    expect(pascalClassName('object', new Set())).toBe('ObjectModel');
    expect(pascalClassName('promise', new Set())).toBe('PromiseModel');
    expect(pascalClassName('gru-state', new Set(['GruState']))).toBe('GruStateModel');
    expect(pascalClassName('gru', new Set(['GruState']))).toBe('GruModel'); // GruState would be its State type
    expect(pascalClassName('9lives', new Set())).toBe('Model9lives');
  });
});

describe('escaping', () => {
  it('stringLiteral round-trips any string as a single-quoted literal', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
      const lit = stringLiteral(s);
      expect(lit.startsWith("'") && lit.endsWith("'")).toBe(true);
      // eslint-disable-next-line no-new-func
      expect(new Function(`return ${lit};`)()).toBe(s);
    }));
    expect(stringLiteral("it's \"x\"\n\u2028")).toBe("'it\\'s \"x\"\\n\\u2028'");
  });

  it('commentText cannot close a comment or break a line', () => {
    fc.assert(fc.property(fc.string(), (s) => {
      const c = commentText(s);
      expect(c).not.toContain('*/');
      expect(c).not.toMatch(/[\r\n\u2028\u2029]/);
    }));
  });
});

describe('output files', () => {
  it('names the module after the spec file, with safe characters only', () => {
    expect(moduleFileName('models/d2l-seq2seq-gru.yaml')).toBe('d2l-seq2seq-gru.ts');
    expect(moduleFileName('C:\\specs\\x.yml')).toBe('x.ts');
    expect(moduleFileName('../../a b/../evil name*/.yaml')).toBe('model.ts');
    expect(moduleFileName('weird na$me.yaml')).toBe('weird-na-me.ts');
    expect(moduleFileName('..yaml')).toBe('model.ts');
  });

  it('never writes outside the output directory', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seqloom-gen-'));
    const out = path.join(dir, 'out');
    const written = writeGeneratedModule({ fileName: 'ok.ts', className: 'Ok', text: 'export {};\n' }, out);
    expect(written).toBe(path.join(out, 'ok.ts'));
    for (const fileName of ['../escape.ts', '/etc/passwd', 'sub/dir.ts', '..']) {
      expect(() => writeGeneratedModule({ fileName, className: 'X', text: '' }, out)).toThrow(/outside/);
    }
    expect(readdirSync(dir)).toEqual(['out']);
    expect(readdirSync(out)).toEqual(['ok.ts']);
  });
});
