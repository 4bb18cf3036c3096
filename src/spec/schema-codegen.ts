/**
 * Build step: compiles schema/seqloom.schema.json with ajv into standalone validation code
 * (src/spec/schema-validator.generated.ts), so `seqloom validate` neither imports ajv nor compiles
 * the schema at run time (that alone took ~0.25 s of a 0.5 s budget on a 2-core machine).
 *
 *   npm run build && node dist/src/spec/schema-codegen.js     # from the repository root
 *
 * test/spec/schema-validator.test.ts regenerates the code and fails on drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

export const SCHEMA_PATH = 'schema/seqloom.schema.json';
export const GENERATED_VALIDATOR_PATH = 'src/spec/schema-validator.generated.ts';

/** The generated module's text for a schema's JSON text. Deterministic for a given ajv version. */
export function buildValidatorSource(schemaText: string): string {
  const schema = JSON.parse(schemaText) as object;
  const ajv = new Ajv2020.default({ allErrors: true, strict: true, code: { source: true, esm: true } });
  const validate = ajv.compile(schema);
  // ajv's ESM output still calls require() for its runtime helpers (equal, ucs2length).
  const code = standaloneCode.default(ajv, validate).replace(/^"use strict";/, '');
  return [
    '// @generated from schema/seqloom.schema.json by src/spec/schema-codegen.ts. DO NOT EDIT.',
    '// @ts-nocheck',
    '/* eslint-disable */',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    `export const seqloomSchema = ${JSON.stringify(schema)};`,
    code,
    '',
  ].join('\n');
}

export function writeGeneratedValidator(root = process.cwd()): string {
  const out = resolve(root, GENERATED_VALIDATOR_PATH);
  writeFileSync(out, buildValidatorSource(readFileSync(resolve(root, SCHEMA_PATH), 'utf8')));
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`wrote ${writeGeneratedValidator()}\n`);
}
