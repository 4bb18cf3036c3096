/**
 * Readers for the two data formats: `tsv` (source<TAB>target, more columns ignored — e.g. cmn.txt's
 * attribution) and `text` (a language-model corpus, one line per example).
 */
import { UserError } from '../../errors.js';
import { BadLines, dataLines, type OnBadLine } from './read-lines.js';

export type { OnBadLine };

/** One parallel example. */
export interface SentencePair { source: string; target: string }

export interface ReadOptions {
  /** Keep the first `limit` examples (pairs, or lines of text); null/undefined = all. */
  limit?: number | null;
  /** `error` (default): the first bad line is a UserError. `skip`: bad lines are counted and skipped. */
  onBadLine?: OnBadLine;
  /** Longest acceptable line in bytes (default 10,000 for tsv, 1,000,000 for text). */
  maxLineBytes?: number;
}

export interface PairsRead { pairs: SentencePair[]; warnings: string[]; skipped: number }
export interface TextRead {
  /** The kept lines joined with '\n' (CRLF and BOM already gone). */
  text: string;
  lines: number;
  warnings: string[];
  skipped: number;
}

export const DEFAULT_TSV_MAX_LINE_BYTES = 10_000;
export const DEFAULT_TEXT_MAX_LINE_BYTES = 1_000_000;
const BLANK = /^\s*$/;

function checkLimit(limit: number | null | undefined, file: string): number {
  if (limit === null || limit === undefined) return Infinity;
  if (!Number.isInteger(limit) || limit < 1) throw new UserError(`${file}: data.limit must be a positive integer, got ${limit}`);
  return limit;
}

/**
 * Stream `source<TAB>target` lines to `onPair`, which returns false to stop reading. Blank lines are
 * ignored; a line without a tab or with an empty (or whitespace-only) source or target is bad.
 * Returns how many pairs were passed on, and the bad-line report.
 */
export function forEachPair(
  file: string, opts: ReadOptions, onPair: (pair: SentencePair) => boolean | void,
): { count: number; warnings: string[]; skipped: number } {
  const limit = checkLimit(opts.limit, file);
  const bad = new BadLines(file, opts.onBadLine ?? 'error');
  let count = 0;
  for (const { line, text } of dataLines(file, bad, opts.maxLineBytes ?? DEFAULT_TSV_MAX_LINE_BYTES)) {
    if (BLANK.test(text)) continue;
    const tab = text.indexOf('\t');
    if (tab < 0) {
      bad.report(line, 'line has no tab (expected source<TAB>target)');
      continue;
    }
    const source = text.slice(0, tab);
    const nextTab = text.indexOf('\t', tab + 1);
    const target = nextTab < 0 ? text.slice(tab + 1) : text.slice(tab + 1, nextTab);
    if (BLANK.test(source)) {
      bad.report(line, 'empty source field (the text before the tab)');
      continue;
    }
    if (BLANK.test(target)) {
      bad.report(line, 'empty target field (the text after the first tab)');
      continue;
    }
    count++;
    // Stop before reading further: problems past the limit don't matter.
    if (onPair({ source, target }) === false || count >= limit) break;
  }
  if (count === 0) {
    throw new UserError(`${file}: no sentence pairs found${bad.skipped ? ` (${bad.skipped} bad lines skipped)` : ''}`,
      'expected one source<TAB>target pair per line');
  }
  return { count, warnings: bad.summary(), skipped: bad.skipped };
}

/** All pairs of a file as an array (small files; training streams them through forEachPair). */
export function readPairs(file: string, opts: ReadOptions = {}): PairsRead {
  const pairs: SentencePair[] = [];
  const r = forEachPair(file, opts, (p) => { pairs.push(p); });
  return { pairs, warnings: r.warnings, skipped: r.skipped };
}

/** Read a text corpus. Every line counts toward `limit`, blank ones included (they separate paragraphs). */
export function readText(file: string, opts: ReadOptions = {}): TextRead {
  const limit = checkLimit(opts.limit, file);
  const bad = new BadLines(file, opts.onBadLine ?? 'error');
  const lines: string[] = [];
  for (const { text } of dataLines(file, bad, opts.maxLineBytes ?? DEFAULT_TEXT_MAX_LINE_BYTES)) {
    lines.push(text);
    if (lines.length >= limit) break;
  }
  if (lines.every((l) => BLANK.test(l))) {
    throw new UserError(`${file}: no text found${bad.skipped ? ` (${bad.skipped} bad lines skipped)` : ''}`);
  }
  return { text: lines.join('\n'), lines: lines.length, warnings: bad.summary(), skipped: bad.skipped };
}
