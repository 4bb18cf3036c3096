/**
 * `seqloom train SPEC [--data P] [--epochs N] [--out DIR] [--seed S] [--backend B] [--resume]`:
 * trains with a progress bar on stderr (plain lines when stderr is not a terminal) and writes a
 * checkpoint folder (model.safetensors, vocab.json, spec.yaml, meta.json, optimizer.safetensors),
 * committed atomically after epochs. Then (`--show N`, default 5) N held-out translations on stderr.
 * Prints the checkpoint folder on stdout. Ctrl-C (SIGINT) or SIGTERM: the current step finishes, a
 * checkpoint is saved there, one line says where and how to resume, and the exit code is 130 or 143;
 * a second signal ends the process at once (src/train/interrupt.ts).
 * `--engine torch` trains the generated PyTorch module under torchrun/DDP instead (src/train/torch),
 * writing the same folder. The work happens in src/train/session.ts; heavy modules load only when
 * the command runs.
 */
import type { Command } from 'commander';
import { checkpointEvery, integer, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../../train/cli-options.js';
import type { CheckpointEvery } from '../../spec/checkpoint-every.js';
import { UserError } from '../../errors.js';

interface TrainFlags {
  data?: string; epochs?: number; out?: string; seed?: number; backend?: string; resume?: boolean; overwrite?: boolean;
  checkpointEvery?: CheckpointEvery; keepLast?: number; quiet?: boolean; show: number; valid?: string; maxTime?: number;
  engine?: 'tfjs' | 'torch'; nproc?: number; threads?: number; device?: 'auto' | 'cpu' | 'cuda';
  nnodes?: string; nodeRank?: number; masterAddr?: string; masterPort?: number; rdzvBackend?: string; rdzvEndpoint?: string; rdzvId?: string;
}

/** The torch engine's flags (src/train/torch): an error to pass them to the tfjs engine. */
const TORCH_FLAGS = ['nproc', 'threads', 'device', 'nnodes', 'nodeRank', 'masterAddr', 'masterPort', 'rdzvBackend', 'rdzvEndpoint', 'rdzvId'] as const;

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
    .option('--valid <file>', 'validation data, read like the training data and encoded with its vocabularies '
      + '(default: the held-out split, data.valid_fraction); evaluated as train.validate_every says')
    .option('--max-time <minutes>', 'stop after this much wall time (saving first, as after an epoch): a fixed budget', positiveNumber)
    .option('--quiet', 'no progress output (and nothing shown)')
    .option('--engine <engine>', 'tfjs (default) | torch: the generated PyTorch module under torchrun/DDP (needs python3-torch)', oneOf(['tfjs', 'torch'] as const))
    .option('--nproc <n>', 'torch: processes on this machine (torchrun --nproc_per_node; default 1)', positiveInt)
    .option('--threads <n>', 'torch: threads per process (default 1; more processes scale better than more threads)', positiveInt)
    .option('--device <d>', 'torch: auto (CUDA when present, with nccl) | cpu (gloo) | cuda', oneOf(['auto', 'cpu', 'cuda'] as const))
    .option('--nnodes <n>', 'torch, several machines: number of machines (torchrun --nnodes, e.g. 2 or 1:4)')
    .option('--node-rank <r>', 'torch, several machines: this machine\'s rank, 0 … nnodes−1 (torchrun --node_rank)', nonNegativeInt)
    .option('--master-addr <host>', 'torch, several machines: node 0\'s address (torchrun --master_addr)')
    .option('--master-port <port>', 'torch, several machines: node 0\'s port (torchrun --master_port)', positiveInt)
    .option('--rdzv-backend <b>', 'torch: torchrun\'s rendezvous backend (e.g. c10d), instead of --master-addr')
    .option('--rdzv-endpoint <host:port>', 'torch: torchrun\'s rendezvous endpoint')
    .option('--rdzv-id <id>', 'torch: torchrun\'s job id (the same on every machine)')
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
        const stray = TORCH_FLAGS.filter((f) => o[f] !== undefined);
        if (o.engine !== 'torch' && stray.length > 0) {
          const flag = (f: string) => `--${f.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
          throw new UserError(`${stray.map(flag).join(', ')} ${stray.length === 1 ? 'is a flag' : 'are flags'} of the torch engine`, 'add --engine torch');
        }
        const tfjsOnly = (['valid', 'maxTime'] as const).filter((f) => o[f] !== undefined);
        if (o.engine === 'torch' && tfjsOnly.length > 0) {
          throw new UserError(`${tfjsOnly.map((f) => (f === 'valid' ? '--valid' : '--max-time')).join(' and ')}: not yet supported by --engine torch`, 'train with the default engine (tfjs)');
        }
        const [{ runTraining }, { createProgressReporter }, { withCleanStdout, writeStdout }] = await Promise.all([
          import('../../train/session.js'), import('../../train/progress.js'), import('../../train/cli-options.js'),
        ]);
        reporter = createProgressReporter(process.stderr, { quiet: o.quiet });
        const common = {
          specPath, data: o.data, epochs: o.epochs, out: o.out, seed: o.seed, backend: o.backend, resume: o.resume,
          overwrite: o.overwrite, checkpointEvery: o.checkpointEvery, keepLast: o.keepLast, show: o.show, reporter: reporter!,
          valid: o.valid, maxMinutes: o.maxTime,
          interrupt: watch, args: process.argv.slice(2),
        };
        const outcome = await withCleanStdout(async () => (o.engine === 'torch'
          ? (await import('../../train/torch/train-torch.js')).runTorchTraining({
            ...common, nproc: o.nproc ?? 1, threads: o.threads, device: o.device,
            rendezvous: {
              nnodes: o.nnodes, nodeRank: o.nodeRank, masterAddr: o.masterAddr, masterPort: o.masterPort,
              rdzvBackend: o.rdzvBackend, rdzvEndpoint: o.rdzvEndpoint, rdzvId: o.rdzvId,
            },
          })
          : runTraining(common)));
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
