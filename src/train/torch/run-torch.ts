/**
 * `seqloom forward|decode --engine torch`: the same IN.json, weights and JSON output as the tfjs
 * engine (run-forward.ts), computed by the spec's generated PyTorch module (python/seqloom_torch/run.py).
 * Everything is checked here first, as for tfjs (spec, IN.json, weights against its vocabulary sizes),
 * so errors read the same with either engine.
 */
import { readSafetensors } from '../../runtime/node/index.js';
import { checkInputVocab } from '../../guard/weights-vocab.js';
import { floatTensors } from '../checkpoint.js';
import { parseModelInput, type ModelInput } from '../input-json.js';
import { readInputFile, type ForwardOptions } from '../run-forward.js';
import { resolveDecodeSettings, type DecodeFlags } from '../search.js';
import type { DecodedHypothesis } from '../forward.js';
import { loadCheckedSpec } from '../../compile/index.js';
import { UserError } from '../../errors.js';
import { pytorchModuleFile } from './module-file.js';
import { runPython } from './python.js';

/** Row-major ids → nested lists. */
function rows(data: Int32Array, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r * cols < data.length; r++) out.push(Array.from(data.subarray(r * cols, (r + 1) * cols)));
  return out;
}

function inputJson(input: ModelInput): Record<string, unknown> {
  if (input.task === 'language-model') return { tokens: rows(input.tokens, input.T) };
  return {
    pad: input.pad, bos: input.bos, eos: input.eos, src: rows(input.src, input.srcT), src_len: Array.from(input.srcLen),
    ...(input.tgtIn !== null ? { tgt_in: rows(input.tgtIn, input.tgtT) } : {}),
  };
}

async function request(o: ForwardOptions, needTarget: boolean, extra: (input: ModelInput, spec: ReturnType<typeof loadCheckedSpec>) => Record<string, unknown>): Promise<unknown> {
  const text = readInputFile(o.input);
  const spec = loadCheckedSpec(o.specPath);
  const input = parseModelInput(text, { file: o.input, task: spec.task, needTarget, warn: o.warn });
  const weights = floatTensors(readSafetensors(o.weights).tensors, o.weights);
  checkInputVocab(spec, weights, input.vocab, o.input, o.weights);
  const body = { module: await pytorchModuleFile(spec), weights: o.weights, vocab: input.vocab, input: inputJson(input), threads: 1, ...extra(input, spec) };
  return JSON.parse(await runPython('seqloom_torch.run', JSON.stringify(body)));
}

export async function runForwardTorch(o: ForwardOptions): Promise<{ logits: number[][][] }> {
  return await request(o, true, () => ({ mode: 'forward' })) as { logits: number[][][] };
}

export async function runDecodeTorch(o: ForwardOptions & { flags: DecodeFlags }): Promise<{ results: DecodedHypothesis[][] }> {
  return await request(o, false, (input, spec) => {
    if (input.task !== 'seq2seq') throw new UserError('decode searches seq2seq models; for a language model use `seqloom sample`');
    const s = resolveDecodeSettings(spec.decode, o.flags);
    return { mode: 'decode', decode: { strategy: s.strategy, beam_size: s.beamSize, max_len: s.maxLen, length_penalty: s.lengthPenalty, n_best: s.nBest } };
  }) as { results: DecodedHypothesis[][] };
}
