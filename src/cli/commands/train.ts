/**
 * `seqloom train SPEC [--data P] [--epochs N] [--out DIR] [--seed S] [--backend B] [--resume]`:
 * trains with a progress bar on stderr (plain lines when stderr is not a terminal) and writes a
 * checkpoint folder (model.safetensors, vocab.json, spec.yaml, meta.json, optimizer.safetensors),
 * committed atomically after epochs. Then (`--show N`, default 5) N held-out translations on stderr.
 * Prints the checkpoint folder on stdout. Ctrl-C (SIGINT) or SIGTERM: the current step finishes, a
 * checkpoint is saved there, one line says where and how to resume, and the exit code is 130 or 143;
 * a second signal ends the process at once (src/train/interrupt.ts).
 * The work happens in src/train/session.ts; heavy modules load only when the command runs.
 */
import type { Command } from 'commander';
import { checkpointEvery, integer, nonNegativeInt, positiveInt } from '../../train/cli-options.js';
import type { CheckpointEvery } from '../../spec/checkpoint-every.js';

interface TrainFlags {
  data?: string; epochs?: number; out?: string; seed?: number; backend?: string; resume?: boolean; overwrite?: boolean;
  checkpointEvery?: CheckpointEvery; keepLast?: number; quiet?: boolean; show: number;
}

export function register(program: Command): void {
  program
    .command('train')
    .description('train a spec; writes a checkpoint folder (default runs/<spec name>) after epochs')
    .argument('<spec>', 'the spec file (YAML)')
    .option('--data <path>', "training data (overrides the spec's data.path; neither = the built-in task)")
    .option('--epochs <n>', 'total epochs to reach, also when resuming (default: train.epochs)', positiveInt)
    .option('--out <dir>', 'checkpoint folder (default: runs/<spec name>)')
    .option('--seed <n>', 'seed for initialization, shuffling and dropout (default: train.seed)', integer)
    .option('--backend <name>', 'node | wasm | cpu | auto (default: auto, or SEQLOOM_BACKEND)')
    .option('--resume', 'continue from the checkpoint in --out (weights, optimizer, epoch, RNG): 2 + 2 epochs = 4')
    .option('--overwrite', 'replace a checkpoint already in --out instead of refusing')
    .option('--checkpoint-every <when>', 'save every N epochs (`2`, `2 epochs`), every N steps (`500 steps`, mid-epoch too) or '
      + 'every so long (`10 min`, `90 s`); default: train.checkpoint_every, else after epochs while saving is cheap and '
      + 'mid-epoch at least every 10 min; the last epoch always saves', checkpointEvery)
    .option('--keep-last <n>', 'also keep the last N checkpoints as <out>/history/step-<step>/ (default: train.keep_last, 1: none)', positiveInt)
    .option('--show <n>', 'after training, translate n held-out sentences (the training ones when none are held out) '
      + 'and count exact translations; a language model continues its text; 0: nothing', nonNegativeInt, 5)
    .option('--quiet', 'no progress output (and nothing shown)')
    .addHelpText('after', '\nWhile training runs, --out is locked: another train on it is refused (naming the pid).\n'
      + 'Ctrl-C (or SIGTERM) finishes the current step, saves a checkpoint there and prints the exact --resume\n'
      + 'command (exit 130, or 143); a second Ctrl-C quits at once, keeping the last good checkpoint.')
    .action(async (specPath: string, o: TrainFlags) => {
      const { InterruptWatch, SIGNAL_EXIT_CODE, describeInterrupt } = await import('../../train/interrupt.js');
      let reporter: import('../../train/progress.js').ProgressReporter | null = null;
      const watch = new InterruptWatch((signal) => {
        const line = `seqloom: ${signal} received: finishing this step and saving a checkpoint (${signal === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again: quit at once)`;
        if (reporter) reporter.note(line);
        else process.stderr.write(`${line}\n`);
      }).install();
      try {
        const [{ runTraining }, { createProgressReporter }, { withCleanStdout, writeStdout }] = await Promise.all([
          import('../../train/session.js'), import('../../train/progress.js'), import('../../train/cli-options.js'),
        ]);
        reporter = createProgressReporter(process.stderr, { quiet: o.quiet });
        const outcome = await withCleanStdout(() => runTraining({
          specPath, data: o.data, epochs: o.epochs, out: o.out, seed: o.seed, backend: o.backend, resume: o.resume,
          overwrite: o.overwrite, checkpointEvery: o.checkpointEvery, keepLast: o.keepLast, show: o.show, reporter: reporter!,
          interrupt: watch, args: process.argv.slice(2),
        }));
        if (outcome.interrupted) {
          reporter.stop();
          process.stderr.write(`${describeInterrupt(outcome.interrupted.signal, outcome.outDir, outcome.saved, outcome.interrupted.resume)}\n`);
          process.exit(SIGNAL_EXIT_CODE[outcome.interrupted.signal]);
        }
        await writeStdout(`${outcome.outDir}\n`);
      } finally {
        reporter?.stop();
        watch.uninstall();
      }
    });
}
