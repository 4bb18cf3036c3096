/**
 * `seqloom translate CKPT "sentence"... [--beam K] [--max-len N] [--n-best M] [--json]`: decodes all
 * sentences in one batched search (the spec's decode section by default; flags override). Sentences
 * come from the arguments, or one per line from stdin when none are given. Notes (unknown words,
 * truncation) go to stderr; stdout holds the translations, or with --json exactly
 * {"results": [{"source", "translation", "score", "n_best": [{"translation", "score"}]}]}; --attention adds
 * "source_tokens" to each result and "tokens" and "attention" ([tokens][source_tokens]) to it and to each
 * n-best entry (models with attention over the source).
 */
import type { Command } from 'commander';
import { nonNegativeNumber, oneOf, positiveInt } from '../../train/cli-options.js';

interface TranslateFlags {
  beam?: number; strategy?: string; maxLen?: number; nBest?: number; lengthPenalty?: number; json?: boolean; attention?: boolean;
  backend?: string;
}

async function readStdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const lines = Buffer.concat(chunks).toString('utf8').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop(); // the final newline ends the last line; it starts no new one
  return lines;
}

export function register(program: Command): void {
  program
    .command('translate')
    .description('translate sentences with a trained seq2seq checkpoint')
    .argument('<checkpoint>', 'checkpoint folder written by `seqloom train`')
    .argument('[sentences...]', 'sentences to translate (default: one per line from stdin)')
    .option('--beam <k>', 'beam search with beam size k (default: the spec\'s decode section)', positiveInt)
    .option('--strategy <name>', "greedy | beam | exhaustive (default: the spec's decode.strategy)", oneOf(['greedy', 'beam', 'exhaustive'] as const))
    .option('--max-len <n>', "longest output, <eos> included (default: the spec's decode.max_len)", positiveInt)
    .option('--n-best <m>', 'hypotheses per sentence (at most the beam size)', positiveInt)
    .option('--length-penalty <a>', 'rank by logP / L^a', nonNegativeNumber)
    .option('--json', 'print {"results": [...]} as JSON')
    .option('--attention', 'with --json: add source/target tokens and the attention weights of each translation (attention models)')
    .option('--backend <name>', 'node | wasm | cpu | auto')
    .action(async (checkpoint: string, sentences: string[], o: TranslateFlags) => {
      const [{ runTranslate }, { withCleanStdout, writeStdout, note }] = await Promise.all([
        import('../../train/run-inference.js'), import('../../train/cli-options.js'),
      ]);
      if (o.attention && !o.json) {
        const { UserError } = await import('../../errors.js');
        throw new UserError('--attention adds the weights to the JSON output', 'add --json');
      }
      const inputs = sentences.length > 0 ? sentences : await readStdinLines();
      const out = await withCleanStdout(() => runTranslate({
        checkpoint, sentences: inputs, backend: o.backend, attention: o.attention === true,
        flags: { strategy: o.strategy, beamSize: o.beam, maxLen: o.maxLen, nBest: o.nBest, lengthPenalty: o.lengthPenalty },
      }));
      for (const n of out.notes) note(n);
      if (o.json) {
        await writeStdout(`${JSON.stringify({ results: out.results })}\n`);
        return;
      }
      const lines = out.results.flatMap((r) => (r.n_best.length <= 1
        ? [r.translation]
        : [`${r.source}`, ...r.n_best.map((h, i) => `  ${i + 1}. ${h.translation}  (score ${h.score.toFixed(4)})`)]));
      await writeStdout(`${lines.join('\n')}\n`);
    });
}
