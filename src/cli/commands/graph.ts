/**
 * `seqloom graph SPEC [--format mermaid|dot|json|svg]`: the model graph with shapes, phases (encode,
 * batched, per-step loops), parameter counts and activation memory; `svg` is a picture, laid out by
 * Graphviz compiled to WebAssembly (no other tool needed). Exit 1 with the rendered diagnostics when
 * the spec does not build.
 */
import { readFileBounded } from '../../runtime/io/bounded-read.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { renderDiagnostics, summarize } from '../../diagnostics/render.js';
import {
  buildGraph, GRAPH_FORMATS, graphView, renderGraph, type GraphFormat, type GraphView, type ModelGraph, type ResourceDimsInput,
} from '../../graph/index.js';
import { MAX_SPEC_BYTES, loadSpecText } from '../../spec/index.js';

export interface GraphCommandResult { stdout: string; stderr: string; exitCode: 0 | 1 }

/** The whole command as a pure function of the spec text (what the tests call). */
export function graphCommand(text: string, file: string, format: GraphFormat = 'mermaid', dims?: ResourceDimsInput): GraphCommandResult {
  return graphCommandWith(text, file, dims, (graph) => renderGraph(graph, format, dims));
}

/** `--format svg`: the same, with the picture (asynchronous: Graphviz runs as WebAssembly). */
export async function graphSvgCommand(text: string, file: string, dims?: ResourceDimsInput): Promise<GraphCommandResult> {
  const built: { view?: GraphView } = {};
  const result = graphCommandWith(text, file, dims, (graph) => { built.view = graphView(graph, dims); return ''; });
  if (built.view === undefined) return result;
  // Loaded on demand: Graphviz's WebAssembly build is large and only this format needs it.
  const { renderSvg } = await import('../../graph/render-picture.js');
  return { ...result, stdout: await renderSvg(built.view) };
}

function graphCommandWith(text: string, file: string, dims: ResourceDimsInput | undefined, render: (graph: ModelGraph) => string): GraphCommandResult {
  const loaded = loadSpecText(text, file);
  const built = loaded.value ? buildGraph(loaded.value) : null;
  // Report against the path as the user gave it (the spec keeps it absolute), as `validate` does.
  const absolute = loaded.value?.file;
  const diagnostics = [...loaded.diagnostics, ...(built?.diagnostics ?? [])].map((d) => (d.file === absolute ? { ...d, file } : d));
  const report = diagnostics.length > 0 ? `${renderDiagnostics(diagnostics, text)}\n\n${summarize(diagnostics)}\n` : '';
  if (!built?.value) return { stdout: '', stderr: report, exitCode: 1 };
  return { stdout: render(built.value), stderr: report, exitCode: 0 };
}

const positiveInt = (flag: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer, got ${value}`);
  return n;
};

export function register(program: Command): void {
  program
    .command('graph')
    .description('print the model graph with shapes, phases, parameter counts and activation memory')
    .argument('<spec>', 'the spec file (YAML)')
    .addOption(new Option('-f, --format <format>', 'diagram format (svg: a picture, e.g. > graph.svg)').choices([...GRAPH_FORMATS, 'svg']).default('mermaid'))
    .option('--batch <n>', 'batch size for activation estimates (default: train.batch_size)', positiveInt('--batch'))
    .option('--vocab <n>', 'vocabulary size of every stream (default: a guess from data settings)', positiveInt('--vocab'))
    .action(async (spec: string, opts: { format: GraphFormat | 'svg'; batch?: number; vocab?: number }) => {
      const dims: ResourceDimsInput = {
        ...(opts.batch !== undefined ? { batch: opts.batch } : {}),
        ...(opts.vocab !== undefined ? { vocab: { source: opts.vocab, target: opts.vocab, tokens: opts.vocab } } : {}),
      };
      const text = readFileBounded(spec, MAX_SPEC_BYTES).toString('utf8');
      const result = opts.format === 'svg' ? await graphSvgCommand(text, spec, dims) : graphCommand(text, spec, opts.format, dims);
      if (result.stderr) process.stderr.write(result.stderr);
      process.stdout.write(result.stdout);
      if (result.exitCode !== 0) process.exitCode = result.exitCode;
    });
}
