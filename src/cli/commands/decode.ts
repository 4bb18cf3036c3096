/**
 * `seqloom decode SPEC --weights W.safetensors --input IN.json [--strategy S] [--beam-size K]
 * [--max-len N] [--length-penalty A] [--n-best M]`: search from given weights (defaults: the spec's
 * decode section). stdout is exactly {"results": [[{"tokens", "score", "logp"}]]}: per sentence its
 * n-best, tokens as generated (<eos> included when generated). `--engine torch`: the same through the
 * spec's generated PyTorch module (src/train/torch).
 */
import type { Command } from 'commander';
import { nonNegativeNumber, oneOf, positiveInt } from '../../train/cli-options.js';

interface DecodeCommandFlags {
  weights: string; input: string; strategy?: string; beamSize?: number; maxLen?: number; lengthPenalty?: number; nBest?: number;
  backend?: string; engine?: 'tfjs' | 'torch';
}

export function register(program: Command): void {
  program
    .command('decode')
    .description('greedy / beam / exhaustive search from given weights and source ids (no data files read)')
    .argument('<spec>', 'the spec file (YAML)')
    .requiredOption('--weights <file>', 'safetensors weights (PyTorch names and layouts)')
    .requiredOption('--input <file>', 'IN.json: vocab sizes, pad/bos/eos ids, src and src_len')
    .option('--strategy <name>', 'greedy | beam | exhaustive', oneOf(['greedy', 'beam', 'exhaustive'] as const))
    .option('--beam-size <k>', 'beam size', positiveInt)
    .option('--max-len <n>', 'longest output, <eos> included', positiveInt)
    .option('--length-penalty <a>', 'rank by logP / L^a (0 = plain logP)', nonNegativeNumber)
    .option('--n-best <m>', 'hypotheses per sentence', positiveInt)
    .option('--backend <name>', 'node | wasm | cpu | auto (the tfjs engine)')
    .option('--engine <engine>', 'tfjs (default) | torch: the spec\'s generated PyTorch module, same input and output', oneOf(['tfjs', 'torch'] as const))
    .action(async (specPath: string, o: DecodeCommandFlags) => {
      const { withCleanStdout, writeStdout, note } = await import('../../train/cli-options.js');
      const opts = {
        specPath, weights: o.weights, input: o.input, backend: o.backend, warn: note,
        flags: { strategy: o.strategy, beamSize: o.beamSize, maxLen: o.maxLen, lengthPenalty: o.lengthPenalty, nBest: o.nBest },
      };
      const out = await withCleanStdout(async () => (o.engine === 'torch'
        ? (await import('../../train/torch/run-torch.js')).runDecodeTorch(opts)
        : (await import('../../train/run-forward.js')).runDecode(opts)));
      await writeStdout(`${JSON.stringify(out)}\n`);
    });
}
