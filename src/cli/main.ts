/**
 * The seqloom command line: commander plumbing only. Each command lives in ./commands/<name>.ts and
 * registers itself; the work happens in the pipeline stages and the runtime.
 */
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerGraph } from './commands/graph.js';
import { register as registerGenerate } from './commands/generate.js';
import { register as registerTrain } from './commands/train.js';
import { register as registerTranslate } from './commands/translate.js';
import { register as registerSample } from './commands/sample.js';
import { register as registerEval } from './commands/eval.js';
import { register as registerForward } from './commands/forward.js';
import { register as registerDecode } from './commands/decode.js';
import { register as registerBleu } from './commands/bleu.js';
import { register as registerReport } from './commands/report.js';
import { register as registerExport } from './commands/export.js';
import { register as registerPrepare } from './commands/prepare.js';
import { register as registerDoctor } from './commands/doctor.js';

const program = new Command('seqloom')
  .description(
    'Sequence models described in YAML, compiled to typed TensorFlow.js modules. A spec (see ' +
      'models/*.yaml) names embeddings, recurrent cells (rnn | gru | lstm), encoder/decoder wiring, ' +
      'concatenation and attention. `validate` checks it before any data loads, `generate` writes the ' +
      'typed module, `train` trains it, and `translate`, `sample` and `eval` use the checkpoint.',
  )
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .configureOutput({ outputError: (text, write) => write(`seqloom: ${text}`) })
  .exitOverride();

for (const register of [
  registerValidate, registerGraph, registerGenerate, registerTrain, registerTranslate,
  registerSample, registerEval, registerForward, registerDecode, registerBleu, registerReport, registerExport, registerPrepare, registerDoctor,
]) {
  register(program);
}

program.addHelpText(
  'after',
  '\nExamples:\n' +
    '  seqloom validate models/d2l-seq2seq-gru.yaml\n' +
    '  seqloom train models/numbers-gru.yaml\n' +
    '  seqloom translate runs/numbers-gru "three hundred twelve" --beam 4\n' +
    '  seqloom train models/d2l-seq2seq-gru.yaml --data ../shared/data/fra-eng/fra.txt\n' +
    '  seqloom bleu --hyp hyp.txt --ref ref.txt --method corpus\n' +
    '  seqloom report runs/numbers-gru -o report.html\n' +
    '  seqloom export runs/numbers-gru --web site\n\n' +
    'Environment: SEQLOOM_BACKEND=node|wasm|cpu chooses the tfjs backend (default: fastest available);\n' +
    '  SEQLOOM_BLAS=auto|off|<path> the system BLAS for wasm\'s matrix products (`seqloom doctor` shows what runs).',
);

function fail(message: string, hint?: string): never {
  process.stderr.write(`seqloom: error: ${message}\n`);
  if (hint) process.stderr.write(`help: ${hint}\n`);
  process.exit(1);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander already printed its message (unknown option, missing argument, --help, --version).
    process.exit(err.exitCode);
  }
  if (err instanceof UserError) fail(err.message, err.hint);
  const e = err as NodeJS.ErrnoException;
  if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
    fail(`${e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : 'permission denied'}: ${e.path ?? e.message}`);
  }
  if (process.env.SEQLOOM_DEBUG) throw err;
  fail(
    `internal error: ${e instanceof Error ? e.message : String(e)}`,
    'this is a seqloom bug; rerun with SEQLOOM_DEBUG=1 for the stack trace and report it',
  );
}
