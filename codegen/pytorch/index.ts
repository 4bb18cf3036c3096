/**
 * The PyTorch target: a spec's graph and plan → one readable PyTorch module (`.py`), from the same
 * planner and the same lowering (../ir/lower.ts) and state layout (../passes/layout.ts) as the
 * TypeScript module — one planner, two emitters. Output is deterministic (no timestamps, no versions).
 *
 *   generatePytorchModule(graph, plan, { specPath })   → { fileName: 'd2l_seq2seq_gru.py', className, text }
 */
import type { ModelGraph } from '../../src/graph/types.js';
import type { Plan } from '../../src/graph/plan-types.js';
import { lowerPlan } from '../ir/lower.js';
import { stateLayout } from '../passes/layout.js';
import type { GeneratedModule, GenerateOptions } from '../generate-module.js';
import type { PyGen } from './bodies.js';
import { importsFor, writeClassStart, writeDataclasses, writeHeader } from './module-common.js';
import { writeLmMethods } from './module-lm.js';
import { writeSeq2seqMethods } from './module-seq2seq.js';
import { pythonFileName, pythonSymbols } from './names.js';
import { PyWriter } from './writer.js';

export function generatePytorchModule(graph: ModelGraph, plan: Plan, opts: GenerateOptions): GeneratedModule {
  const { ir } = lowerPlan(graph, plan, { specPath: opts.specPath });
  const symbols = pythonSymbols();
  const className = symbols.declare('#class', ir.className);
  for (const node of ir.nodes) symbols.declare(node.node.name);
  const names = {
    module: className,
    encoded: symbols.declare('#encoded', `${className}Encoded`),
    state: symbols.declare('#state', ir.task === 'seq2seq' ? `${className}DecoderState` : `${className}State`),
  };
  const g: PyGen = { ir, symbols, layout: stateLayout(ir), names };
  const head = new PyWriter();
  writeHeader(head, ir, className);
  const body = new PyWriter();
  writeDataclasses(body, g);
  body.block(`class ${className}(nn.Module):`, () => {
    writeClassStart(body, g);
    if (ir.task === 'seq2seq') writeSeq2seqMethods(body, g);
    else writeLmMethods(body, g);
  });
  const bodyText = body.text();
  return { fileName: pythonFileName(opts.specPath), className, text: `${head.text()}\n${importsFor(bodyText)}\n\n\n${bodyText}\n` };
}
