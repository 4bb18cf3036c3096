/**
 * Identifiers a generated file uses itself. Node names that equal one of them are renamed by the
 * symbol table (`state` → `state_`), so a node can never shadow an import or a method's local.
 */

/** Every name a generated module may import from seqloom/runtime (imported or not, all reserved). */
export const RUNTIME_NAMES = [
  'attention', 'beamSearch', 'createAttentionParams', 'createDenseParams', 'createEmbeddingParams',
  'createRecurrentParams', 'createRng', 'projectAttentionKeys', 'dense', 'dropout', 'embedded', 'embedding', 'exhaustiveSearch', 'greedySearch',
  'logSoftmax', 'maskedCrossEntropy', 'maskedDenseCrossEntropy', 'recurrentStep', 'repeated', 'repeatOverTime', 'runRecurrent', 'stateTop', 'trainStep',
  'zeroState', 'toTorchTensors', 'fromTorchTensors', 'UserError',
  'GruState', 'LstmState', 'RnnState', 'RecurrentState', 'RecurrentConfig', 'RecurrentParams', 'ParamMap',
  'Rng', 'ModuleConfig', 'Seq2SeqModule', 'LanguageModelModule', 'Seq2SeqBatch', 'LmBatch', 'LossResult',
  'StepResult', 'SearchOptions', 'SearchModel', 'Hypothesis', 'DecodeStepOptions', 'TensorDict', 'NamedTensor',
  'EmbeddingParams', 'DenseParams', 'AttentionParams', 'TorchParamKind',
  'tf', 'tidy', 'vocabSize', 'checkShape', 'paramVariables', 'disposeParams', 'torchParamNames',
];

/**
 * Locals and parameters of the generated methods whose bodies also hold node locals (encode, forward,
 * the step function and their loops), so a node may not take these names.
 */
export const GENERATED_LOCALS = [
  'src', 'srcLen', 'training', 'batch', 'encoded', 'tokens', 'state', 'next', 'x', 't', 'this',
];
