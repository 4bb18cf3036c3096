/**
 * `seqloom eval CKPT [--data P] [--bleu corpus|d2l] [--json]`: on the held-out split (the last
 * data.valid_fraction of the data), BLEU of decoded translations plus teacher-forced loss and
 * perplexity for seq2seq; perplexity for language models. `--data` naming a file other than the
 * training data scores that whole file as a test set (seq2seq).
 */
import type { Command } from 'commander';
import { oneOf, positiveInt } from '../../train/cli-options.js';
import type { EvalOutput } from '../../train/run-inference.js';

interface EvalFlags { data?: string; bleu: 'corpus' | 'd2l'; beam?: number; maxLen?: number; json?: boolean; backend?: string }

/** The figures as the terminal shows them. */
export function describeEval(out: EvalOutput): string {
  const r = out.result;
  const where = { valid: 'held-out split', train: 'training split', test: 'test file' }[out.split];
  const lines = [`data: ${out.origin} (${where})`];
  if (r.task === 'language-model') {
    lines.push(`tokens: ${r.tokens}`, `loss: ${r.loss.toFixed(4)}`, `perplexity: ${r.perplexity.toFixed(3)}`);
    return lines.join('\n');
  }
  const b = r.bleu;
  lines.push(`sentences: ${r.sentences}${r.decoded < r.sentences ? ` (BLEU on ${r.decoded} of them)` : ''}`);
  if (b.method === 'corpus') {
    lines.push(`BLEU (corpus): ${b.score.toFixed(2)}  precisions ${b.precisions!.map((p) => p.toFixed(1)).join('/')}  `
      + `BP ${b.bp!.toFixed(3)}  hyp/ref tokens ${b.sys_len}/${b.ref_len}`);
  } else {
    lines.push(`BLEU (d2l, mean per sentence): ${b.score.toFixed(4)}`);
  }
  lines.push(`loss: ${r.loss.toFixed(4)}`, `perplexity: ${r.perplexity.toFixed(3)}`);
  for (const e of r.examples) lines.push(`  ${e.source} => ${e.hypothesis}  [ref: ${e.reference}]`);
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('eval')
    .description('evaluate a checkpoint on the held-out split: BLEU (seq2seq) or perplexity (language model)')
    .argument('<checkpoint>', 'checkpoint folder written by `seqloom train`')
    .option('--data <path>', 'a test file scored whole (seq2seq: source<TAB>target; default: the held-out split of the data '
      + 'the checkpoint was trained on, which --data naming that same file also gives)')
    .option('--bleu <method>', 'corpus (BLEU-4, 0-100) | d2l (mean per-sentence score, 0-1)', oneOf(['corpus', 'd2l'] as const), 'corpus')
    .option('--beam <k>', 'decode with beam size k (default: the spec\'s decode section)', positiveInt)
    .option('--max-len <n>', 'longest output, <eos> included', positiveInt)
    .option('--json', 'print the figures as JSON')
    .option('--backend <name>', 'node | wasm | cpu | auto')
    .action(async (checkpoint: string, o: EvalFlags, command: Command) => {
      const [{ runEval }, { withCleanStdout, writeStdout, note }] = await Promise.all([
        import('../../train/run-inference.js'), import('../../train/cli-options.js'),
      ]);
      const out = await withCleanStdout(() => runEval({
        checkpoint, data: o.data, bleu: o.bleu, backend: o.backend, flags: { beamSize: o.beam, maxLen: o.maxLen },
      }));
      for (const n of out.notes) note(n);
      if (out.result.task === 'language-model' && command.getOptionValueSource('bleu') === 'cli') {
        note('note: --bleu applies to seq2seq checkpoints; a language model is scored by perplexity');
      }
      await writeStdout(o.json ? `${JSON.stringify({ data: out.origin, split: out.split, ...out.result })}\n` : `${describeEval(out)}\n`);
    });
}
