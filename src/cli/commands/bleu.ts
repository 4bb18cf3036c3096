/**
 * `seqloom bleu --hyp F --ref F [--method corpus|d2l] [--max-n N] [--json]`: BLEU of two line-aligned
 * files (line i of the hypotheses is scored against line i of the references; tokens are
 * whitespace-separated).
 *   corpus (default): sacreBLEU's corpus BLEU with tokenize=none, 0–100, max-n default 4.
 *   d2l: the mean of the seed's per-sentence scores, 0–1, max-n (the seed's k) default 2; its
 *        precisions are per-order means over the lines long enough to have that order, its bp the
 *        mean of the lines' brevity factors.
 * JSON: {bleu, precisions, bp, sys_len, ref_len}. Missing or empty files and different line counts
 * are UserErrors that name the file (and line).
 */
import { readFileBounded } from '../../runtime/io/bounded-read.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { UserError } from '../../errors.js';
import { corpusBleu, d2lBleuParts, whitespaceTokens } from '../../runtime/metrics/index.js';

export type BleuMethod = 'corpus' | 'd2l';
export const BLEU_METHODS: readonly BleuMethod[] = ['corpus', 'd2l'];

export interface BleuReport {
  method: BleuMethod;
  maxN: number;
  /** Aligned lines scored. */
  lines: number;
  /** corpus: 0–100; d2l: 0–1. */
  bleu: number;
  precisions: number[];
  bp: number;
  sys_len: number;
  ref_len: number;
}

export interface BleuInput { text: string; file: string }

/** Default max n-gram order of each method. */
export function defaultMaxN(method: BleuMethod): number {
  return method === 'd2l' ? 2 : 4;
}

/** BLEU of line-aligned texts (the pure core of the command; `file`s only name them in errors). */
export function bleuOfTexts(hyp: BleuInput, ref: BleuInput, method: BleuMethod = 'corpus', maxN = defaultMaxN(method)): BleuReport {
  if (!BLEU_METHODS.includes(method)) throw new UserError(`unknown BLEU method '${method}'`, `use one of ${BLEU_METHODS.join(', ')}`);
  if (!Number.isInteger(maxN) || maxN < 1) throw new UserError(`--max-n must be a positive integer, got ${maxN}`);
  const hypLines = splitLines(hyp);
  const refLines = splitLines(ref);
  if (hypLines.length !== refLines.length) {
    const [longer, shorter, longerLines, shorterLines] = hypLines.length > refLines.length
      ? [hyp.file, ref.file, hypLines.length, refLines.length]
      : [ref.file, hyp.file, refLines.length, hypLines.length];
    throw new UserError(
      `${longer}:${shorterLines + 1}: line has no counterpart in ${shorter} ` +
        `(${longer} has ${longerLines} lines, ${shorter} has ${shorterLines})`,
      'hypotheses and references must be line-aligned: one line per segment in both files',
    );
  }
  if (method === 'corpus') {
    const out = corpusBleu(hypLines.map(whitespaceTokens), refLines.map(whitespaceTokens), maxN);
    return { method, maxN, lines: hypLines.length, bleu: out.bleu, precisions: out.precisions, bp: out.bp, sys_len: out.sysLen, ref_len: out.refLen };
  }
  return d2lReport(hypLines, refLines, maxN);
}

function d2lReport(hypLines: string[], refLines: string[], k: number): BleuReport {
  let scoreSum = 0;
  let bpSum = 0;
  let sysLen = 0;
  let refLen = 0;
  const precisionSums = new Array<number>(k).fill(0);
  const precisionLines = new Array<number>(k).fill(0);
  hypLines.forEach((hyp, i) => {
    const parts = d2lBleuParts(hyp, refLines[i]!, k);
    scoreSum += parts.score;
    bpSum += parts.bp;
    sysLen += parts.hypLen;
    refLen += parts.refLen;
    parts.precisions.forEach((p, n) => {
      precisionSums[n] += p;
      precisionLines[n] += 1;
    });
  });
  const lines = hypLines.length;
  return {
    method: 'd2l', maxN: k, lines,
    bleu: scoreSum / lines,
    precisions: precisionSums.map((sum, n) => (precisionLines[n]! > 0 ? sum / precisionLines[n]! : 0)),
    bp: bpSum / lines,
    sys_len: sysLen,
    ref_len: refLen,
  };
}

/** Lines of a text file; a final newline does not start another line; `\r\n` is accepted. */
function splitLines({ text, file }: BleuInput): string[] {
  if (text === '') throw new UserError(`${file}: file is empty`, 'BLEU needs one line per segment');
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Reads a file for the command, turning I/O failures into UserErrors. */
export function readBleuInput(file: string): BleuInput {
  try {
    return { text: readFileBounded(file, 2 ** 31 - 1).toString('utf8'), file }; // not readFileSync: /dev/zero never ends
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError(`${file}: no such file`);
    if (code === 'EISDIR') throw new UserError(`${file}: is a directory, not a text file`);
    throw new UserError(`${file}: cannot read (${(err as Error).message})`);
  }
}

/** BLEU of two line-aligned files. */
export function bleuOfFiles(hypFile: string, refFile: string, method: BleuMethod = 'corpus', maxN = defaultMaxN(method)): BleuReport {
  return bleuOfTexts(readBleuInput(hypFile), readBleuInput(refFile), method, maxN);
}

/** The command's output: sacreBLEU-like text, or the JSON `{bleu, precisions, bp, sys_len, ref_len}`. */
export function formatBleuReport(report: BleuReport, json: boolean): string {
  const { bleu, precisions, bp, sys_len, ref_len } = report;
  if (json) return `${JSON.stringify({ bleu, precisions, bp, sys_len, ref_len })}\n`;
  const ratio = ref_len > 0 ? sys_len / ref_len : 0;
  const lengths = `hyp_len = ${sys_len} ref_len = ${ref_len}`;
  if (report.method === 'corpus') {
    const prec = precisions.map((p) => p.toFixed(1)).join('/');
    return `BLEU = ${bleu.toFixed(2)} ${prec} (BP = ${bp.toFixed(3)} ratio = ${ratio.toFixed(3)} ${lengths})\n`;
  }
  const prec = precisions.map((p) => p.toFixed(3)).join('/');
  return `BLEU (d2l, k = ${report.maxN}, mean of ${report.lines} sentences) = ${bleu.toFixed(3)} ${prec} ` +
    `(mean BP = ${bp.toFixed(3)} ${lengths})\n`;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`--max-n must be a positive integer, got ${value}`);
  return n;
}

export function register(program: Command): void {
  program
    .command('bleu')
    .description('BLEU of line-aligned hypothesis and reference files (whitespace tokens)')
    .requiredOption('--hyp <file>', 'hypotheses, one segment per line')
    .requiredOption('--ref <file>', 'references, line-aligned with --hyp')
    .addOption(new Option('--method <method>', 'corpus: sacreBLEU corpus BLEU (tokenize=none), 0-100; d2l: mean of the seed\'s sentence BLEU, 0-1')
      .choices([...BLEU_METHODS]).default('corpus'))
    .option('--max-n <n>', 'max n-gram order (default: 4 for corpus, 2 for d2l)', positiveInt)
    .option('--json', 'print {bleu, precisions, bp, sys_len, ref_len}')
    .action((opts: { hyp: string; ref: string; method: BleuMethod; maxN?: number; json?: boolean }) => {
      const report = bleuOfFiles(opts.hyp, opts.ref, opts.method, opts.maxN ?? defaultMaxN(opts.method));
      process.stdout.write(formatBleuReport(report, opts.json === true));
    });
}
