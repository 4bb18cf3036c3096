/**
 * The spec's data as written (after YAML, before normalize), for data that passed the schema:
 * optional keys may be absent, references are still strings. Mirrors schema/seqloom.schema.json.
 */
import type {
  Activation, CellKind, DecodeStrategy, Nonlinearity, OpKind, PreprocessStep, TaskKind, TokenizerKind,
} from './types.js';

export interface RawStream { tokenizer?: TokenizerKind; min_freq?: number; max_len?: number; merges?: number }

export interface RawData {
  path?: string;
  format?: 'tsv' | 'text';
  limit?: number;
  preprocess?: PreprocessStep[];
  on_bad_line?: 'error' | 'skip';
  valid_fraction?: number;
  max_vocab?: number;
  bucketing?: boolean;
  shared_bpe?: boolean;
  source?: RawStream;
  target?: RawStream;
  tokens?: RawStream;
  num_steps?: number;
  sampling?: 'random' | 'sequential';
}

export interface RawNode {
  op: OpKind;
  weights?: string;
  input?: string;
  inputs?: string[];
  dim?: number;
  cell?: CellKind;
  hidden?: number;
  layers?: number;
  dropout?: number;
  bidirectional?: boolean;
  init?: string;
  nonlinearity?: Nonlinearity;
  units?: number | string;
  activation?: Activation;
  like?: string;
  rate?: number;
  kind?: 'additive' | 'dot';
  query?: string;
  keys?: string;
  values?: string;
  mask?: string;
}

export interface RawTrain {
  loss?: 'masked-cross-entropy';
  teacher_forcing?: number;
  optimizer?: { name?: 'adam' | 'sgd'; lr?: number };
  clip_norm?: number | null;
  epochs?: number;
  batch_size?: number;
  seed?: number;
  carry_state?: boolean;
  checkpoint_every?: string | number;
  keep_last?: number;
  batch_tokens?: number;
  validate_every?: 'epoch' | 'none' | number;
  bleu_sentences?: number;
  keep_best?: 'bleu' | 'loss';
  early_stopping?: { metric?: 'bleu' | 'loss'; patience: number };
  lr_schedule?: {
    warmup_steps?: number;
    reduce_on_plateau?: { metric?: 'bleu' | 'loss'; factor?: number; patience?: number; min_lr?: number };
  };
}

export interface RawDecode {
  strategy?: DecodeStrategy;
  beam_size?: number;
  max_len?: number;
  length_penalty?: number;
  n_best?: number;
}

export interface RawSpec {
  seqloom: 1;
  name: string;
  task: TaskKind;
  data?: RawData;
  graph: Record<string, RawNode>;
  output: string;
  train?: RawTrain;
  decode?: RawDecode;
}
