/**
 * Section `pytorch`: seqloom against PyTorch 1.13 on an optimized BLAS at three sizes, each side at
 * its fastest configuration (torch-side.ts), the same batches, interleaved:
 *   d2l      the whole `seqloom train` command vs d2l's code, 600 pairs × 300 epochs (d2l-command.ts),
 *            then translating two sentences from a fresh process
 *   large    one training step, batch 64, 35 steps, 256 wide, 2 layers, vocab 1000; GRU and LSTM
 *   bahdanau d2l's Bahdanau model at 256 wide over the whole fra-eng file: target tokens/s over the
 *            first `bahdanau.turns × stepsPerTurn` batches of an epoch
 */
import { loadGeneratedModule } from '../../src/compile/index.js';
import { loadSeq2seqDataset } from '../../src/runtime/data/load.js';
import { isSeq2SeqHostBatch, type HostSeq2SeqBatch } from '../../src/train/batch-tensors.js';
import { seq2seqEpochs } from '../../src/train/epoch-data.js';
import { dataSpecWith } from '../../src/train/session-data.js';
import { startTask } from '../progress.js';
import { SIZES, syntheticBatches } from '../synthetic.js';
import { runD2lCommand, type D2lCommandPlan, type D2lCommandResult } from './d2l-command.js';
import { compareSteps, type StepsComparison, type StepsPlan } from './steps-vs-pytorch.js';
import { THROUGHPUT_SPECS } from './train-vs-layers.js';

export const BAHDANAU_SPEC = 'bench/specs/seq2seq-attention-256.yaml';

export interface VsPytorchPlan { d2l: D2lCommandPlan; large: StepsPlan; bahdanau: StepsPlan }

export interface VsPytorchResult {
  d2l: D2lCommandResult | null;
  large: StepsComparison[];
  bahdanau: (StepsComparison & { pairs: number; srcVocab: number; tgtVocab: number }) | null;
  skipped: string[];
}

export type VsPytorchSize = 'd2l' | 'large' | 'bahdanau';

export async function runVsPytorch(
  packageRoot: string, dataFile: string | null, plan: VsPytorchPlan, sizes: VsPytorchSize[],
): Promise<VsPytorchResult> {
  const result: VsPytorchResult = { d2l: null, large: [], bahdanau: null, skipped: [] };
  if (sizes.includes('d2l')) {
    if (dataFile === null) result.skipped.push('d2l: fra-eng data not found');
    else {
      const task = startTask('d2l whole command vs PyTorch', 2 * plan.d2l.reps + 6);
      result.d2l = await runD2lCommand(packageRoot, dataFile, plan.d2l, (d, t) => task.update(d, t));
      task.done(`PyTorch (${result.d2l.best}) / seqloom = ${result.d2l.ratio}×; translate ${result.d2l.translate.seconds}s`);
    }
  }
  if (sizes.includes('large')) {
    const size = SIZES.large;
    for (const cell of ['gru', 'lstm'] as const) {
      const task = startTask(`large ${cell} step vs PyTorch`, plan.large.turns);
      const r = await compareSteps(packageRoot, {
        name: `large ${cell}`, spec: THROUGHPUT_SPECS[cell].large, batches: syntheticBatches(size, 4, 1234),
        torch: { model: 'seq2seq', cell, embed: size.embed, hidden: size.hidden, layers: size.layers, srcVocab: size.vocab, tgtVocab: size.vocab },
      }, plan.large, (d, t) => task.update(d, t));
      task.done(`seqloom ${r.seqloom.tokensPerSecond} vs PyTorch (${r.best}) ${r.torch.tokensPerSecond} tokens/s → ${r.ratio}×`);
      result.large.push(r);
    }
  }
  if (sizes.includes('bahdanau')) {
    if (dataFile === null) result.skipped.push('bahdanau: fra-eng data not found');
    else {
      const { spec } = await loadGeneratedModule(BAHDANAU_SPEC);
      const { data } = loadSeq2seqDataset(dataSpecWith(spec.data, dataFile));
      const count = plan.bahdanau.turns * plan.bahdanau.stepsPerTurn;
      const batches: HostSeq2SeqBatch[] = [];
      for (const b of seq2seqEpochs(data, spec.train, 0).batches(0)) {
        if (batches.length === count) break;
        if (isSeq2SeqHostBatch(b)) batches.push(b);
      }
      const task = startTask('Bahdanau 256, whole fra-eng, vs PyTorch', plan.bahdanau.turns);
      const r = await compareSteps(packageRoot, {
        name: 'bahdanau 256', spec: BAHDANAU_SPEC, batches,
        torch: { model: 'attention', cell: 'gru', embed: 256, hidden: 256, layers: 2, srcVocab: data.srcVocab.size, tgtVocab: data.tgtVocab.size },
      }, plan.bahdanau, (d, t) => task.update(d, t));
      task.done(`seqloom ${r.seqloom.tokensPerSecond} vs PyTorch (${r.best}) ${r.torch.tokensPerSecond} target tokens/s → ${r.ratio}×`);
      result.bahdanau = { ...r, pairs: data.train.count, srcVocab: data.srcVocab.size, tgtVocab: data.tgtVocab.size };
    }
  }
  return result;
}

/** The section's lines in the bench's table. */
export function renderVsPytorch(r: VsPytorchResult): string[] {
  const lines = ['seqloom vs PyTorch 1.13 on an optimized BLAS (its fastest configuration), same batches, interleaved'];
  if (r.d2l !== null) {
    const d = r.d2l;
    lines.push(`  PyTorch BLAS: ${d.torchBlas}`);
    lines.push(`  d2l 600 pairs × ${d.epochs} epochs, whole command: seqloom ${d.seqloomSeconds.join(', ')}s vs PyTorch (${d.best}) ${d.torchSeconds.join(', ')}s → ${d.ratio}×`);
    lines.push(`    PyTorch probe (s): ${Object.entries(d.probe).map(([k, v]) => `${k} ${v}`).join('; ')}`);
    lines.push(`  translate 2 sentences, fresh process: ${d.translate.seconds}s (SEQLOOM_BLAS=off: ${d.translate.secondsNoBlas}s)`);
  }
  for (const s of [...r.large, ...(r.bahdanau === null ? [] : [r.bahdanau])]) {
    lines.push(`  ${s.name}: seqloom ${s.seqloom.tokensPerSecond} vs PyTorch (${s.best}) ${s.torch.tokensPerSecond} target tokens/s `
      + `(${s.seqloom.stepSeconds} vs ${s.torch.stepSeconds} s/step, ${s.stepsPerSide} steps each) → ${s.ratio}×`);
    lines.push(`    probe (s/step): ${Object.entries(s.probe).map(([k, v]) => `${k} ${v}`).join('; ')}; seqloom products: ${s.seqloomProducts}`);
  }
  for (const why of r.skipped) lines.push(`  skipped: ${why}`);
  return lines;
}
