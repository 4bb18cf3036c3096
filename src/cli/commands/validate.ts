/**
 * `seqloom validate SPEC [--json]`: parse, schema, graph and shape checks, before any data loads,
 * and the resource guard's memory estimate at guessed vocabulary sizes (a warning when over).
 * Terminal: each diagnostic as `file:line:col: error[CODE]: message` with its source frame (stderr),
 * then a summary. `--json`: the diagnostics as a JSON array on stdout. Exit status 1 when any error.
 *
 * Everything heavy is imported when the command runs, so registering it costs nothing.
 */
import type { Command } from 'commander';
import type { Diagnostic } from '../../diagnostics/types.js';
import type { Result } from '../../diagnostics/types.js';
import type { Spec } from '../../spec/types.js';

export interface ValidateOptions { json?: boolean }
export interface CommandOutput { exitCode: number; stdout: string; stderr: string }

/** The graph stage's entry point (src/graph/index.ts), injectable for tests. */
export type GraphCheck = (spec: Spec) => Result<unknown>;

export interface SpecCheck {
  /** The source text, or null when the file could not be read. */
  text: string | null;
  spec: Spec | null;
  /** Every diagnostic, in source order, `file` as given by the caller. */
  diagnostics: Diagnostic[];
}

async function loadGraphCheck(): Promise<GraphCheck> {
  const graph = await import('../../graph/index.js');
  return graph.buildGraph as GraphCheck;
}

/**
 * All checks on a spec's text, front end then graph. Pure: no I/O, never throws on a bad spec.
 * Diagnostics from any stage are reported against `file` as given (not the absolute path).
 */
export async function checkSpecText(text: string, file: string, graphCheck?: GraphCheck): Promise<SpecCheck> {
  const [{ loadSpecText }, { sortDiagnostics }] = await Promise.all([
    import('../../spec/index.js'), import('../../diagnostics/factories.js'),
  ]);
  const front = loadSpecText(text, file);
  const diagnostics = [...front.diagnostics];
  if (front.value !== null) {
    const check = graphCheck ?? (await loadGraphCheck());
    const absolute = front.value.file;
    const graph = check(front.value);
    const found = [...graph.diagnostics];
    // The resource guard at guessed vocabulary sizes: a warning when training could not fit in memory.
    if (graphCheck === undefined && graph.value !== null) {
      const { validateMemoryWarnings } = await import('../../guard/index.js');
      found.push(...validateMemoryWarnings(front.value, graph.value as import('../../graph/types.js').ModelGraph));
    }
    for (const d of found) diagnostics.push(d.file === absolute ? { ...d, file } : d);
  }
  return { text, spec: front.value, diagnostics: sortDiagnostics(diagnostics) };
}

export async function checkSpecFile(path: string, graphCheck?: GraphCheck): Promise<SpecCheck> {
  const { readSpecText } = await import('../../spec/index.js');
  const read = readSpecText(path);
  if (read.value === null) return { text: null, spec: null, diagnostics: read.diagnostics };
  return checkSpecText(read.value, path, graphCheck);
}

/** What `seqloom validate` prints and its exit status (the CLI writes these out; tests compare them). */
export async function runValidate(path: string, options: ValidateOptions = {}, graphCheck?: GraphCheck): Promise<CommandOutput> {
  const [result, render] = await Promise.all([checkSpecFile(path, graphCheck), import('../../diagnostics/render.js')]);
  return formatValidation(path, result, options, render);
}

type Renderers = typeof import('../../diagnostics/render.js');

/** The command's output for a finished check: JSON array, or frames (stderr) and a summary. */
export function formatValidation(path: string, result: SpecCheck, options: ValidateOptions, render: Renderers): CommandOutput {
  const { text, spec, diagnostics } = result;
  const errors = diagnostics.some((d) => d.severity === 'error');
  const exitCode = errors ? 1 : 0;
  if (options.json) {
    const index = new render.LineIndex(text ?? '');
    const json = diagnostics.map((d) => render.toJsonDiagnostic(d, index));
    return { exitCode, stdout: `${JSON.stringify(json, null, 2)}\n`, stderr: '' };
  }
  let stderr = diagnostics.length > 0 ? `${render.renderDiagnostics(diagnostics, text)}\n` : '';
  let stdout = '';
  if (errors || spec === null) {
    stderr += `\n${path}: ${render.summarize(diagnostics)}\n`;
  } else {
    const warnings = render.summarize(diagnostics);
    stdout = `${path}: ok (${spec.task}, ${spec.nodes.length} nodes${warnings ? `; ${warnings}` : ''})\n`;
  }
  return { exitCode, stdout, stderr };
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a spec: YAML, schema, references, cycles, widths and shapes (no data is read)')
    .argument('<spec>', 'the spec file (YAML)')
    .option('--json', 'print the diagnostics as a JSON array {code, severity, message, file, line, column, endLine, endColumn, path, suggestion?}')
    .action(async (spec: string, options: ValidateOptions) => {
      const out = await runValidate(spec, options);
      process.stdout.write(out.stdout);
      process.stderr.write(out.stderr);
      process.exitCode = out.exitCode;
    });
}
