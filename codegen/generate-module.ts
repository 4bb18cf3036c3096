/**
 * The generator's driver: graph + plan → one TypeScript module, in named passes.
 *
 *   1. register symbols   node names → safe identifiers; the class name (ir/lower.ts)
 *   2. emit types         config, cells, params, Encoded, DecoderState/State (passes/emit-types.ts)
 *   3. emit module        the class: common members, then the task's methods (passes/emit-*.ts)
 *   4. imports, helpers   exactly the runtime names used; `tidy`, `vocabSize`
 *
 * Output is deterministic (no timestamps, no versions) so committed goldens stay stable.
 */
import type { ModelGraph } from '../src/graph/types.js';
import type { Plan } from '../src/graph/plan-types.js';
import { ImportSet } from './framework/imports.js';
import { newSourceFile, printAndForget } from './framework/project.js';
import { commentText } from './framework/text.js';
import { lowerPlan } from './ir/lower.js';
import { describeFold, foldedNodes } from './ir/folds.js';
import type { ModuleIR } from './ir/types.js';
import type { Gen } from './passes/context.js';
import { addHelpers } from './passes/emit-common.js';
import { languageModelClass } from './passes/emit-lm.js';
import { seq2seqClass } from './passes/emit-seq2seq.js';
import { emitTypes, typeNames } from './passes/emit-types.js';
import { stateLayout } from './passes/layout.js';

export { GENERATOR_VERSION } from './version.js';

export interface GeneratedModule {
  /** `<spec file base>.ts`. */
  fileName: string;
  className: string;
  text: string;
}

export interface GenerateOptions {
  /** The spec path as the header names it (relative, `/`-separated: `models/d2l-seq2seq-gru.yaml`). */
  specPath: string;
}

export function generateModule(graph: ModelGraph, plan: Plan, opts: GenerateOptions): GeneratedModule {
  // Pass 1: register symbols.
  const { ir, symbols } = lowerPlan(graph, plan, { specPath: opts.specPath });
  const imports = new ImportSet();
  const layout = stateLayout(ir);
  const fileName = moduleFileName(opts.specPath);
  const g: Gen = { ir, symbols, imports, layout, names: typeNames(ir) };
  // Pass 2: emit types (collected first so their imports are known; written after the imports).
  const typesFile = newSourceFile(`types-${fileName}`);
  emitTypes(typesFile, ir, layout, imports);
  // Pass 3: emit module.
  const classFile = newSourceFile(`class-${fileName}`);
  classFile.addClass(ir.task === 'seq2seq' ? seq2seqClass(g) : languageModelClass(g));
  addHelpers(classFile, g);
  // Pass 4: header, imports, then the types and the class.
  const parts = [header(ir), imports.text(), printAndForget(typesFile).trim(), printAndForget(classFile).trim()];
  return { fileName, className: ir.className, text: `${parts.join('\n\n')}\n` };
}

/** `models/d2l-seq2seq-gru.yaml` → `d2l-seq2seq-gru.ts` (characters outside [A-Za-z0-9._-] become `-`). */
export function moduleFileName(specPath: string): string {
  const base = specPath.split(/[\\/]/).pop()!.replace(/\.ya?ml$/i, '');
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[.-]+/, '');
  return `${safe === '' ? 'model' : safe}.ts`;
}

function header(ir: ModuleIR): string {
  const path = commentText(ir.specPath);
  const list = (names: string[]): string => (names.length === 0 ? '(none)' : names.join(', '));
  const plan = ir.plan;
  const lines = [
    `@generated from ${path} — DO NOT EDIT`,
    '',
    `The ${ir.task === 'seq2seq' ? 'seq2seq model' : 'language model'} \`${ir.spec.name}\` as a typed TensorFlow.js module (class ${ir.className}).`,
    `Regenerate with \`seqloom generate ${path}\`.`,
    '',
    'Plan:',
    ...(ir.task === 'seq2seq' ? [`  encode (once per source batch, over T_src): ${list(plan.encode)}`] : []),
    ...stepLines(ir),
  ];
  return `/**\n${lines.map((l) => (l === '' ? ' *' : ` * ${commentText(l)}`)).join('\n')}\n */`;
}

/** The main side's schedule, consecutive time-batched nodes on one line. */
function stepLines(ir: ModuleIR): string[] {
  const plan = ir.plan;
  const lines: string[] = [];
  let batched: string[] = [];
  const flush = (): void => {
    if (batched.length > 0) lines.push(`  ${plan.main.side}, time-batched over ${plan.main.time}: ${batched.join(', ')}`);
    batched = [];
  };
  for (const s of plan.main.steps) {
    if (s.kind === 'batched') { batched.push(s.node); continue; }
    flush();
    lines.push(`  ${plan.main.side}, per step (a loop closed by .prev): ${plan.loops[s.loop]!.nodes.join(', ')}`);
  }
  flush();
  for (const [name, fold] of ir.folds.byRecurrent) {
    lines.push(`  ${name} reads its input as parts: ${describeFold(fold)} (${foldedNodes(fold).join(', ')} not evaluated time-batched)`);
  }
  return lines;
}
