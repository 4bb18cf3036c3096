/**
 * `seqloom forward SPEC --weights W.safetensors --input IN.json`: the teacher-forced forward pass in
 * eval mode. stdout is exactly {"logits": [B][T][V]}; everything else goes to stderr. `--engine torch` runs
 * the spec's generated PyTorch module instead (src/train/torch), with the same input and output.
 * IN.json: see src/train/input-json.ts (the CLI contract in SPEC-FORMAT.md).
 */
import type { Command } from 'commander';
import { oneOf } from '../../train/cli-options.js';

interface ForwardFlags { weights: string; input: string; backend?: string; engine?: 'tfjs' | 'torch' }

export function register(program: Command): void {
  program
    .command('forward')
    .description('teacher-forced logits from given weights and ids (no data files read)')
    .argument('<spec>', 'the spec file (YAML)')
    .requiredOption('--weights <file>', 'safetensors weights (PyTorch names and layouts)')
    .requiredOption('--input <file>', 'IN.json: vocab sizes, special ids, src/src_len/tgt_in (or tokens)')
    .option('--backend <name>', 'node | wasm | cpu | auto (the tfjs engine)')
    .option('--engine <engine>', 'tfjs (default) | torch: the spec\'s generated PyTorch module, same input and output', oneOf(['tfjs', 'torch'] as const))
    .action(async (specPath: string, o: ForwardFlags) => {
      const { withCleanStdout, writeStdout, note } = await import('../../train/cli-options.js');
      const opts = { specPath, weights: o.weights, input: o.input, backend: o.backend, warn: note };
      const out = await withCleanStdout(async () => (o.engine === 'torch'
        ? (await import('../../train/torch/run-torch.js')).runForwardTorch(opts)
        : (await import('../../train/run-forward.js')).runForward(opts)));
      await writeStdout(`${JSON.stringify(out)}\n`);
    });
}
