/**
 * `seqloom forward SPEC --weights W.safetensors --input IN.json`: the teacher-forced forward pass in
 * eval mode. stdout is exactly {"logits": [B][T][V]}; everything else goes to stderr.
 * IN.json: see src/train/input-json.ts (the CLI contract in SPEC-FORMAT.md).
 */
import type { Command } from 'commander';

interface ForwardFlags { weights: string; input: string; backend?: string }

export function register(program: Command): void {
  program
    .command('forward')
    .description('teacher-forced logits from given weights and ids (no data files read)')
    .argument('<spec>', 'the spec file (YAML)')
    .requiredOption('--weights <file>', 'safetensors weights (PyTorch names and layouts)')
    .requiredOption('--input <file>', 'IN.json: vocab sizes, special ids, src/src_len/tgt_in (or tokens)')
    .option('--backend <name>', 'node | wasm | cpu | auto')
    .action(async (specPath: string, o: ForwardFlags) => {
      const [{ runForward }, { withCleanStdout, writeStdout, note }] = await Promise.all([
        import('../../train/run-forward.js'), import('../../train/cli-options.js'),
      ]);
      const out = await withCleanStdout(() => runForward({ specPath, weights: o.weights, input: o.input, backend: o.backend, warn: note }));
      await writeStdout(`${JSON.stringify(out)}\n`);
    });
}
