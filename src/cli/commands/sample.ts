/**
 * `seqloom sample CKPT --prefix "..." [--len N] [--temperature T] [--seed S]`: language-model
 * generation — the state warms up on the prefix, then N tokens are drawn from softmax(logits / T)
 * (T = 0: the argmax each step). N and T default to the spec's `decode:` section (max_len; greedy → 0). Prints the prefix and its continuation (--json: an object).
 */
import type { Command } from 'commander';
import { integer, nonNegativeInt, nonNegativeNumber } from '../../train/cli-options.js';

interface SampleFlags { prefix: string; len?: number; temperature?: number; seed: number; json?: boolean; backend?: string }

export function register(program: Command): void {
  program
    .command('sample')
    .description('generate text with a trained language-model checkpoint')
    .argument('<checkpoint>', 'checkpoint folder written by `seqloom train`')
    .requiredOption('--prefix <text>', 'text to start from (required; at least one token after preprocessing)')
    .option('--len <n>', "tokens to generate (default: the spec's decode.max_len)", nonNegativeInt)
    .option('--temperature <t>', "softmax temperature; 0 = the argmax each step (default: 0 when the spec's "
      + 'decode.strategy is greedy, else 1)', nonNegativeNumber)
    .option('--seed <n>', 'seed for the draws', integer, 0)
    .option('--json', 'print {"prefix", "continuation", "text", "tokens"} as JSON')
    .option('--backend <name>', 'node | wasm | cpu | auto')
    .action(async (checkpoint: string, o: SampleFlags) => {
      const [{ runSample }, { withCleanStdout, writeStdout, note }] = await Promise.all([
        import('../../train/run-inference.js'), import('../../train/cli-options.js'),
      ]);
      const out = await withCleanStdout(() => runSample({
        checkpoint, prefix: o.prefix, length: o.len, temperature: o.temperature, seed: o.seed, backend: o.backend,
      }));
      for (const n of out.notes) note(n);
      if (out.stoppedAtEos) note(`note: <eos> generated after ${out.tokens} token(s)`);
      await writeStdout(o.json
        ? `${JSON.stringify({ prefix: out.prefix, continuation: out.continuation, text: out.text, tokens: out.tokens })}\n`
        : `${out.text}\n`);
    });
}
