/** Numerics: seeded RNG, parameters, cells, layers, attention, loss, clipping, training step, checkpoint layouts. */
export { createRng } from './rng.js';
export type { Rng } from './rng.js';
export {
  GATES, createRecurrentParams, createEmbeddingParams, createDenseParams, recurrentParamShapes,
  uniformVariable, normalVariable, paramVariables, disposeParams, directions,
} from './params.js';
export type {
  ParamMap, RecurrentConfig, RecurrentParams, EmbeddingParams, DenseParams, CellKind, Nonlinearity,
} from './params.js';
export {
  runRecurrent, recurrentStep, repeated, embedded, setInputParts, setProjectValidRows, zeroState, stateTop, selectRecurrentState, disposeRecurrentState,
} from './recurrent.js';
export type {
  RecurrentState, RnnState, GruState, LstmState, RecurrentRunOptions, RecurrentStepOptions, RecurrentInputPart, RepeatedInput, EmbeddedInput,
} from './recurrent.js';
export { embedding, dense, activate, concatFeatures, repeatOverTime, dropout } from './layers.js';
export type { Activation } from './layers.js';
export { createAttentionParams, attention, projectAttentionKeys, maskedSoftmax, MASKED_SCORE } from './attention.js';
export type { AttentionKind, AttentionParams, AttentionOptions } from './attention.js';
export { logSoftmax, maskedCrossEntropy, maskedDenseCrossEntropy, sequenceMask } from './loss.js';
export { createOptimizer, trainStep, clipByGlobalNorm, clipScale, globalNorm } from './train.js';
export type { OptimizerName, OptimizerOptions } from './train.js';
export { toTorchTensors, fromTorchTensors, torchParamShapes, torchParamNames } from './torch-layout.js';
export type { LayerKind, LayerConfigs, EmbeddingConfig, DenseConfig, AttentionConfig } from './torch-layout.js';
