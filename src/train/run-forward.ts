/**
 * `seqloom forward` / `seqloom decode` as functions: spec + weights file + IN.json → the JSON
 * document the CLI contract specifies. No data files are read; vocabulary sizes come from IN.json.
 */
import { readSafetensors } from '../runtime/io/safetensors-file.js';
import { MAX_STREAM_BYTES, readFileBounded } from '../runtime/io/bounded-read.js';
import { UserError } from '../errors.js';
import { checkInputVocab } from '../guard/weights-vocab.js';
import { floatTensors } from './checkpoint.js';
import { parseModelInput, type ModelInput } from './input-json.js';
import { configFromInput, decodeInput, forwardLogits, type DecodedHypothesis } from './forward.js';
import { instantiate, loadModuleForSpec, type SpecModuleLoader } from './model-loader.js';
import { resolveDecodeSettings, type DecodeFlags } from './search.js';
import type { AnyModule } from '../runtime/module.js';
import type { Spec } from '../spec/types.js';

export interface ForwardOptions {
  specPath: string;
  weights: string;
  input: string;
  backend?: string;
  loadModule?: SpecModuleLoader;
  /** Notes for stderr (unknown IN.json keys). */
  warn?: (message: string) => void;
}

/** IN.json's text (bounded: /dev/zero never ends); a missing or unreadable file is a UserError. */
export function readInputFile(file: string): string {
  try {
    return readFileBounded(file, MAX_STREAM_BYTES).toString('utf8'); // not readFileSync: /dev/zero never ends
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file}: no such input file` : `${file}: cannot read (${code ?? String(e)})`);
  }
}

async function withInputModule<T>(
  o: ForwardOptions, needTarget: boolean, fn: (module: AnyModule, input: ModelInput, spec: Spec) => T,
): Promise<T> {
  const text = readInputFile(o.input);
  const { spec, ModuleClass } = await (o.loadModule ?? loadModuleForSpec)(o.specPath, o.backend);
  const input = parseModelInput(text, { file: o.input, task: spec.task, needTarget, warn: o.warn });
  const weights = floatTensors(readSafetensors(o.weights).tensors, o.weights);
  checkInputVocab(spec, weights, input.vocab, o.input, o.weights); // before building a module of IN.json's sizes
  const module = instantiate(ModuleClass, configFromInput(input, spec.train.seed), weights, o.weights);
  try {
    return fn(module, input, spec);
  } finally {
    module.dispose();
  }
}

export async function runForward(o: ForwardOptions): Promise<{ logits: number[][][] }> {
  return withInputModule(o, true, (module, input) => ({ logits: forwardLogits(module, input) }));
}

export async function runDecode(o: ForwardOptions & { flags: DecodeFlags }): Promise<{ results: DecodedHypothesis[][] }> {
  return withInputModule(o, false, (module, input, spec) => {
    const settings = resolveDecodeSettings(spec.decode, o.flags);
    return { results: decodeInput(module, input, settings) };
  });
}
