/**
 * What differs between two spec texts, for `train --resume` refusing a checkpoint of another spec:
 * the changed keys with their old and new values (`graph.encoder.hidden: 32 → 64`), or that only
 * comments or formatting differ.
 */
import { parse } from 'yaml';

const SHOWN = 5;

function show(v: unknown): string {
  if (v === undefined) return '(absent)';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

function differences(a: unknown, b: unknown, at: string, out: string[]): void {
  const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) differences(a[key], b[key], at === '' ? key : `${at}.${key}`, out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${at || '(the whole spec)'}: ${show(a)} → ${show(b)}`);
}

/** One phrase: `train.epochs: 4 → 8; graph.encoder.hidden: 32 → 64`, at most 5 listed. */
export function describeSpecDifferences(saved: string, current: string): string {
  let a: unknown, b: unknown;
  try {
    a = parse(saved);
    b = parse(current);
  } catch {
    return 'the texts differ';
  }
  const out: string[] = [];
  differences(a, b, '', out);
  if (out.length === 0) return 'only comments or formatting differ';
  const more = out.length > SHOWN ? ` and ${out.length - SHOWN} more` : '';
  return `${out.slice(0, SHOWN).join('; ')}${more}`;
}
