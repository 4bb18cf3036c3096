/**
 * Every default of the spec format, in one place. normalize() applies them; the schema's `default`
 * annotations (what editors show) are tested to agree with these.
 */
import type { Activation, DecodeStrategy, Nonlinearity, StreamSpec, TaskKind } from './types.js';

export const NODE_DEFAULTS = {
  recurrent: { layers: 1, dropout: 0, bidirectional: false, nonlinearity: 'tanh' as Nonlinearity },
  dense: { activation: 'none' as Activation },
  attention: { kind: 'additive' as const },
};

export const DATA_DEFAULTS = {
  on_bad_line: 'error' as const,
  valid_fraction: 0,
  bucketing: false,
  shared_bpe: false,
  preprocess: [] as const,
  /** Language models: d2l's time-machine settings. */
  num_steps: 35,
  sampling: 'sequential' as const,
};

/** Per task: the data format and each stream's pipeline (d2l's choices: word-level seq2seq, char-level LM). */
export const TASK_DATA_DEFAULTS: Record<TaskKind, { format: 'tsv' | 'text'; stream: Omit<StreamSpec, 'max_len' | 'merges'> & { max_len: number | null } }> = {
  seq2seq: { format: 'tsv', stream: { tokenizer: 'word', min_freq: 2, max_len: 10 } },
  /** max_len null: a language model's sequences are `num_steps` long. */
  'language-model': { format: 'text', stream: { tokenizer: 'char', min_freq: 0, max_len: null } },
};

export const LEARNING_RATE_DEFAULTS = { adam: 0.001, sgd: 0.1 } as const;

export const TRAIN_DEFAULTS = {
  loss: 'masked-cross-entropy' as const,
  teacher_forcing: 1,
  optimizer: 'adam' as const,
  clip_norm: 1,
  epochs: 10,
  batch_size: 64,
  seed: 0,
  keep_last: 1,
  validate_every: 'epoch' as 'epoch' | 'none' | number,
  bleu_sentences: 1000,
};

/** `lr_schedule.reduce_on_plateau` when its keys are left out. */
export const PLATEAU_DEFAULTS = { metric: 'loss' as const, factor: 0.5, patience: 2, min_lr: 0 };

export const DECODE_DEFAULTS = {
  strategy: 'greedy' as DecodeStrategy,
  beam_size: 4,
  length_penalty: 0,
  n_best: 1,
  /** Language models (`sample --len` usually overrides); seq2seq defaults to `data.target.max_len`. */
  lm_max_len: 100,
};
