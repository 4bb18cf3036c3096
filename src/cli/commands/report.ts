/**
 * `seqloom report CKPT [-o FILE] [--examples N] [--backend B]`: one self-contained HTML page about a
 * training run — curves, the model graph, held-out examples (attention heatmaps for attention
 * models) or sampled text, and the settings. Prints the page's path on stdout; notes on stderr.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { positiveInt } from '../../train/cli-options.js';

interface ReportFlags { output?: string; examples?: number; backend?: string }

export function register(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML page about a training run: curves, graph, examples, attention, settings')
    .argument('<checkpoint>', 'checkpoint folder written by `seqloom train`')
    .option('-o, --output <file>', 'where to write the page (default: <checkpoint>/report.html)')
    .option('--examples <n>', 'held-out examples to decode (seq2seq, default 6) or samples to draw (language model, default 3)', positiveInt)
    .option('--backend <name>', 'node | wasm | cpu | auto')
    .addHelpText('after', '\nThe page needs no network: charts (uPlot) and the graph (laid out by Graphviz/viz.js) are inlined.\n'
      + 'Example:\n  seqloom report runs/numbers-gru -o numbers.html')
    .action(async (checkpoint: string, o: ReportFlags) => {
      const [{ buildReport }, { writeFileAtomic }, { withCleanStdout, writeStdout, note }] = await Promise.all([
        import('../../report/build.js'), import('../../runtime/io/atomic-write.js'), import('../../train/cli-options.js'),
      ]);
      const out = o.output ?? path.join(checkpoint, 'report.html');
      const result = await withCleanStdout(() => buildReport({ checkpoint, backend: o.backend, examples: o.examples }));
      for (const n of result.notes) note(n);
      writeFileAtomic(out, result.html);
      await writeStdout(`${out}\n`);
    });
}
