/**
 * Training and inference drivers over generated modules (src/runtime/module.ts): the training loop
 * and session (checkpoints, exact resume), decoding settings, translate/sample/eval, and the
 * file-free forward/decode of the CLI contract. The commands in src/cli/commands/ are thin wrappers.
 */
export { trainLoop, DivergenceError } from './trainer.js';
export type { EpochData, EpochSummary, BatchProgress, TrainObserver, TrainLoopOptions, TrainResult } from './trainer.js';
export { runTraining, type TrainOptions, type TrainOutcome } from './session.js';
export { createProgressReporter, formatSeconds, type ProgressReporter, type ProgressStream } from './progress.js';
export {
  writeCheckpoint, readCheckpoint, hasCheckpoint, floatTensors, CHECKPOINT_FILES,
  type CheckpointContents, type CheckpointVocabs, type TrainingMeta, type EpochRecord,
} from './checkpoint.js';
export { replaceFilesAtomically, recoverStaged } from './atomic-dir.js';
export { captureOptimizerState, restoreOptimizerState, type OptimizerState, type CheckpointableOptimizer } from './optimizer-state.js';
export { CheckpointPolicy } from './session-checkpoint.js';
export { epochSeed } from './epoch-data.js';
export { resolveDecodeSettings, searchBatch, type DecodeSettings, type DecodeFlags, type HostSources } from './search.js';
export { translateSentences, encodeSources, hypothesisText, type TranslationResult } from './translate.js';
export { sampleTokens, pickToken, type SampleOptions, type SampleResult } from './sample.js';
export { evaluateSeq2Seq, evaluateLm, type BleuMethod, type Seq2SeqEvalResult, type LmEvalResult } from './evaluate.js';
export { runTranslate, runSample, runEval, type EvalOutput, type SampleOutput } from './run-inference.js';
export { runForward, runDecode, type ForwardOptions } from './run-forward.js';
export { parseModelInput, validateModelInput, type ModelInput, type Seq2SeqInput, type LmInput } from './input-json.js';
export { forwardLogits, decodeInput, configFromInput, type DecodedHypothesis } from './forward.js';
export {
  loadModuleForSpec, loadTrainedModel, loadSpecWithWeights, instantiate, startBackend,
  type SpecModuleLoader, type LoadedSpecModule, type TrainedModel,
} from './model-loader.js';
