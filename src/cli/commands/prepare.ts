/**
 * `seqloom prepare SPEC [--data P] --out DIR [--epochs N] [--seed S] [--overwrite]`: runs the data
 * pipeline once (tokenize, vocabulary, every epoch's batches) and writes id shards plus the
 * vocabulary into DIR (src/train/prepared). `seqloom train SPEC --data DIR` then reads those batches,
 * with either engine (`--engine torch` too), in exactly that order. Prints DIR on stdout.
 */
import type { Command } from 'commander';
import { integer, positiveInt } from '../../train/cli-options.js';

interface PrepareFlags { data?: string; out: string; epochs?: number; seed?: number; overwrite?: boolean; quiet?: boolean }

export function register(program: Command): void {
  program
    .command('prepare')
    .description('tokenize the data once and write every epoch\'s batches (id shards + vocab.json) for `train --data DIR`')
    .argument('<spec>', 'the spec file (YAML)')
    .option('--data <path>', "raw training data (overrides the spec's data.path; neither = the built-in task)")
    .requiredOption('--out <dir>', 'the folder to write')
    .option('--epochs <n>', 'epochs of batches to write (default: train.epochs)', positiveInt)
    .option('--seed <n>', 'the shuffling seed (default: train.seed); training must use the same', integer)
    .option('--overwrite', 'replace a non-empty --out')
    .option('--quiet', 'no progress lines')
    .action(async (specPath: string, o: PrepareFlags) => {
      const [{ runPrepare }, { loadCheckedSpec }, { writeStdout }] = await Promise.all([
        import('../../train/prepared/prepare.js'), import('../../compile/index.js'), import('../../train/cli-options.js'),
      ]);
      const { dir, manifest } = await runPrepare({
        spec: loadCheckedSpec(specPath), data: o.data, out: o.out, epochs: o.epochs, seed: o.seed, overwrite: o.overwrite,
        note: (m) => { if (!o.quiet) process.stderr.write(`${m}\n`); },
      });
      if (!o.quiet) process.stderr.write(`prepared ${manifest.epochs} epoch(s) of ${manifest.data.description} (seed ${manifest.seed})\n`);
      await writeStdout(`${dir}\n`);
    });
}
