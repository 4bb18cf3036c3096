/**
 * Shared by the end-to-end tests: the repository, example specs rewritten for a test (one word or a
 * few numbers changed, written to a temporary folder), and a reporter that prints nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { createProgressReporter, type ProgressReporter } from '../../src/train/progress.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared data folder (SEQLOOM_TEST_DATA overrides), or null when it is absent. */
export function sharedData(): string | null {
  const dir = process.env.SEQLOOM_TEST_DATA ?? path.resolve(REPO, '../shared/data');
  return fs.existsSync(dir) ? dir : null;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `seqloom-${prefix}-`));
}

/** `models/<file>` with each [from, to] replacement applied (each `from` must occur exactly once). */
export function rewriteExample(file: string, replacements: readonly (readonly [string, string])[]): string {
  let text = fs.readFileSync(path.join(REPO, 'models', file), 'utf8');
  for (const [from, to] of replacements) {
    expect(text.split(from).length - 1, `models/${file} should contain ${JSON.stringify(from)} once`).toBe(1);
    text = text.replace(from, to);
  }
  return text;
}

/** A reporter that swallows everything; `lines` keeps what it was given, for tests that read it. */
export function silentReporter(): ProgressReporter & { lines: string[] } {
  const lines: string[] = [];
  const reporter = createProgressReporter({ write: (s: string) => { lines.push(s); return true; }, isTTY: false });
  return Object.assign(reporter, { lines });
}
