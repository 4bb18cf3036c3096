/**
 * `seqloom generate SPEC... [-o DIR] [--target typescript|pytorch]`: writes each spec's typed
 * TensorFlow.js module (`<DIR>/<spec file name>.ts`), or with `--target pytorch` its PyTorch module
 * (`<DIR>/<spec_file_name>.py`); default DIR: `<spec dir>/generated/`, so models/*.yaml →
 * models/generated/. Prints the paths written. A spec with errors prints its diagnostics and
 * writes nothing; the exit status is 1 when any spec failed.
 */
import { relative, resolve, isAbsolute } from 'node:path';
import type { Command } from 'commander';
import { oneOf } from '../../train/cli-options.js';

export interface GenerateCommandOptions {
  /** Output directory (default: `<spec dir>/generated/`). */
  out?: string;
  /** `typescript` (default): the tfjs module; `pytorch`: the PyTorch module (`<name>.py`). */
  target?: 'typescript' | 'pytorch';
  /** Paths are printed relative to this directory when inside it (default: process.cwd()). */
  cwd?: string;
}

export interface GenerateCommandResult { exitCode: 0 | 1; stdout: string; stderr: string; written: string[] }

/** The whole command as a function of its arguments (the CLI writes out what it returns). */
export async function generateCommand(specs: readonly string[], opts: GenerateCommandOptions = {}): Promise<GenerateCommandResult> {
  const [codegen, render, spec] = await Promise.all([
    import('../../../codegen/index.js'), import('../../diagnostics/render.js'), import('../../spec/index.js'),
  ]);
  const cwd = opts.cwd ?? process.cwd();
  const written: string[] = [];
  let stdout = '';
  let stderr = '';
  for (const path of specs) {
    const result = codegen.generateSpecFile(path, opts.target);
    const absolute = resolve(path);
    const diagnostics = result.diagnostics.map((d) => (d.file === absolute ? { ...d, file: path } : d));
    if (diagnostics.length > 0) {
      const text = spec.readSpecText(path).value;
      stderr += `${render.renderDiagnostics(diagnostics, text)}\n\n`;
    }
    if (result.value === null) {
      stderr += `${path}: ${render.summarize(diagnostics) || 'cannot generate'}; nothing written\n`;
      continue;
    }
    const target = codegen.writeGeneratedModule(result.value, opts.out ?? codegen.defaultOutputDir(path));
    written.push(target);
    const shown = relative(cwd, target);
    stdout += `${shown.startsWith('..') || isAbsolute(shown) ? target : shown}\n`;
  }
  return { exitCode: written.length === specs.length ? 0 : 1, stdout, stderr, written };
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('write the typed TensorFlow.js module of each spec (default: <spec dir>/generated/<name>.ts)')
    .argument('<specs...>', 'spec files (YAML)')
    .option('-o, --out <dir>', 'output directory')
    .option('--target <target>', 'typescript (the tfjs module, default) | pytorch (a PyTorch module, <name>.py, importing seqloom_torch)',
      oneOf(['typescript', 'pytorch'] as const))
    .action(async (specs: string[], options: { out?: string; target?: 'typescript' | 'pytorch' }) => {
      const result = await generateCommand(specs, {
        ...(options.out !== undefined ? { out: options.out } : {}), ...(options.target !== undefined ? { target: options.target } : {}),
      });
      process.stdout.write(result.stdout);
      process.stderr.write(result.stderr);
      if (result.exitCode !== 0) process.exitCode = result.exitCode;
    });
}
