/** The committed standalone validator must be what schema/seqloom.schema.json compiles to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_VALIDATOR_PATH, SCHEMA_PATH, buildValidatorSource } from '../../src/spec/schema-codegen.js';
import { seqloomSchema } from '../../src/spec/schema-validator.generated.js';
import { REPO } from './helpers.js';

describe('generated schema validator', () => {
  const schemaText = readFileSync(join(REPO, SCHEMA_PATH), 'utf8');

  it('is up to date (regenerate: npm run build && node dist/src/spec/schema-codegen.js)', () => {
    expect(readFileSync(join(REPO, GENERATED_VALIDATOR_PATH), 'utf8')).toBe(buildValidatorSource(schemaText));
  });

  it('embeds the schema as it is', () => {
    expect(seqloomSchema).toEqual(JSON.parse(schemaText));
  });

  it('is a JSON Schema 2020-12 document with additionalProperties: false on every object', () => {
    const schema = JSON.parse(schemaText) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const open: string[] = [];
    const visit = (node: unknown, path: string): void => {
      if (Array.isArray(node)) { node.forEach((n, i) => visit(n, `${path}/${i}`)); return; }
      if (node === null || typeof node !== 'object') return;
      const s = node as Record<string, unknown>;
      if (s.properties && s.additionalProperties === undefined && !path.endsWith('/node') && !/\/if$/.test(path)) open.push(path);
      for (const [k, v] of Object.entries(s)) visit(v, `${path}/${k}`);
    };
    visit(schema, '#');
    // `node` only picks the op; each op's own schema (its `then`) closes the mapping.
    expect(open).toEqual([]);
  });
});
