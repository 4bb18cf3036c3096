/**
 * The normalized, typed spec: what `normalize()` returns once the YAML has parsed and passed the
 * schema. Every default is filled (see src/spec/normalize.ts, the one place that knows them), every
 * reference is parsed, and every node keeps the source range of its YAML mapping so later stages
 * (graph checks, shapes, resource guard) can point diagnostics at the line that must change.
 */
import type { SourceRange } from '../diagnostics/types.js';
import type { CheckpointEvery } from './checkpoint-every.js';

export type { CheckpointEvery };

export type TaskKind = 'seq2seq' | 'language-model';
export type CellKind = 'rnn' | 'gru' | 'lstm';
export type Nonlinearity = 'tanh' | 'relu';
export type PreprocessStep = 'nbsp-to-space' | 'lowercase' | 'space-before-punct' | 'letters-only';
export type TokenizerKind = 'word' | 'char' | 'segmenter' | 'bpe';
export type StreamName = 'source' | 'target' | 'tokens';
export type OpKind = 'embedding' | 'recurrent' | 'dense' | 'concat' | 'repeat' | 'dropout' | 'attention';
export type Activation = 'none' | 'tanh' | 'relu' | 'sigmoid';
export type DecodeStrategy = 'greedy' | 'beam' | 'exhaustive';

/** Where a key's value sits in the YAML file: 0-based offsets, resolved to line/column when printed. */
export interface Located {
  /** Range of the whole node mapping (or value) in the source. */
  range: SourceRange;
  /** Ranges of individual keys' values, keyed by the key name (e.g. `input`, `hidden`). */
  keyRanges: Record<string, SourceRange>;
}

/** One stream's text pipeline (source, target or tokens). */
export interface StreamSpec {
  tokenizer: TokenizerKind;
  min_freq: number;
  /** Sequence length (tokens, `<eos>` included) that batches are truncated/padded to. */
  max_len: number;
  /** `tokenizer: bpe`: merges learned on the training split; null for other tokenizers. */
  merges?: number | null;
}

export interface DataSpec {
  /** Path as written in the spec (relative to the spec file), or null for the built-in task. */
  path: string | null;
  /** `path` resolved against the spec file's folder, or null. */
  resolvedPath: string | null;
  format: 'tsv' | 'text';
  /** First N examples (pairs, or lines for text); null = all. */
  limit: number | null;
  preprocess: PreprocessStep[];
  /** What to do with malformed data lines. */
  on_bad_line: 'error' | 'skip';
  /** Fraction of examples held out for `eval` (taken from the end, after `limit`). */
  valid_fraction: number;
  // Round-2 keys: normalize() always fills them; optional so hand-built specs (tests) may leave them out.
  /** Largest vocabulary per stream, the four specials included; null: no cap. */
  max_vocab?: number | null;
  /** seq2seq: batches from buckets of similar lengths, each padded to its own longest row. */
  bucketing?: boolean;
  /** seq2seq with `tokenizer: bpe` on both streams: one BPE model learned on both. */
  shared_bpe?: boolean;
  /** seq2seq streams. */
  source?: StreamSpec;
  target?: StreamSpec;
  /** language-model stream and batching. */
  tokens?: StreamSpec;
  num_steps?: number;
  sampling?: 'random' | 'sequential';
}

/**
 * A reference written in the spec: `x`, `x.state`, `x.state.top`, `x.prev`, a stream (`source`,
 * `target`, `tokens`) or a size (`target.vocab`).
 */
export interface Ref {
  /** The text as written, for messages. */
  raw: string;
  /** Node or stream name. */
  base: string;
  /** What of `base` is meant: its sequence output, its final state (all layers), the top layer's h. */
  part: 'output' | 'state' | 'state.top';
  /** `x.prev`: the value at the previous time step (a delay edge; the only legal way to close a cycle). */
  delayed: boolean;
  range: SourceRange;
}

/** A size written either as a number or as `<stream>.vocab`. */
export type SizeRef = number | { vocab: StreamName; raw: string; range: SourceRange };

interface NodeBase extends Located {
  name: string;
  /** Range of the node's name (its key under `graph:`), for "node `x` …" diagnostics. */
  nameRange: SourceRange;
  /** Checkpoint tensor-name prefix (`weights:`); defaults to the node name. */
  weights: string;
}

export interface EmbeddingNode extends NodeBase { op: 'embedding'; input: Ref; dim: number }
export interface RecurrentNode extends NodeBase {
  op: 'recurrent';
  cell: CellKind;
  input: Ref;
  hidden: number;
  layers: number;
  /** Dropout between layers, training only (PyTorch semantics: not after the last layer). */
  dropout: number;
  bidirectional: boolean;
  /** Initial state (`encoder.state`), or null for zeros. */
  init: Ref | null;
  nonlinearity: Nonlinearity;
}
export interface DenseNode extends NodeBase { op: 'dense'; input: Ref; units: SizeRef; activation: Activation }
export interface ConcatNode extends NodeBase { op: 'concat'; inputs: Ref[] }
export interface RepeatNode extends NodeBase { op: 'repeat'; input: Ref; like: Ref }
export interface DropoutNode extends NodeBase { op: 'dropout'; input: Ref; rate: number }
export interface AttentionNode extends NodeBase {
  op: 'attention';
  kind: 'additive' | 'dot';
  query: Ref;
  keys: Ref;
  values: Ref;
  /** A stream whose valid lengths mask the keys (`source`), or null. */
  mask: Ref | null;
  /** Hidden width of the additive scorer (ignored for dot); defaults to the query width. */
  hidden: number | null;
}
export type GraphNode =
  | EmbeddingNode | RecurrentNode | DenseNode | ConcatNode | RepeatNode | DropoutNode | AttentionNode;

export interface OptimizerSpec { name: 'adam' | 'sgd'; lr: number }
/** A validation figure: BLEU (higher is better) or loss (lower is better). */
export type ValidationMetric = 'bleu' | 'loss';
export interface PlateauSpec { metric: ValidationMetric; factor: number; patience: number; min_lr: number }
export interface LrScheduleSpec {
  /** Linear warmup over this many optimizer steps (0: none). */
  warmup_steps: number;
  reduce_on_plateau: PlateauSpec | null;
}
export interface TrainSpec {
  loss: 'masked-cross-entropy';
  teacher_forcing: number;
  optimizer: OptimizerSpec;
  /** Global-norm clipping threshold θ; null = no clipping. */
  clip_norm: number | null;
  epochs: number;
  batch_size: number;
  seed: number;
  /** Language models: keep the hidden state across sequential batches. */
  carry_state: boolean;
  /** How often training saves (null: the adaptive default; see src/train/session-checkpoint.ts). */
  checkpoint_every: CheckpointEvery | null;
  /** Checkpoints kept: the latest in the folder itself; with N > 1 the last N also under `history/`. */
  keep_last: number;
  // Round-2 keys: normalize() always fills them; optional so hand-built specs (tests) may leave them out.
  /** seq2seq: padded tokens per batch instead of `batch_size` examples; null: use batch_size. */
  batch_tokens?: number | null;
  /** Validation: after every epoch, every N steps, or never (default: epoch). */
  validate_every?: 'epoch' | 'none' | number;
  /** Held-out sentences decoded for BLEU at each validation (0: no BLEU; default 1000). */
  bleu_sentences?: number;
  keep_best?: ValidationMetric | null;
  early_stopping?: { metric: ValidationMetric; patience: number } | null;
  lr_schedule?: LrScheduleSpec;
}

export interface DecodeSpec {
  strategy: DecodeStrategy;
  beam_size: number;
  max_len: number;
  length_penalty: number;
  n_best: number;
}

export interface Spec {
  seqloom: 1;
  name: string;
  task: TaskKind;
  /** Absolute path of the spec file (or a pseudo-name like `<stdin>`). */
  file: string;
  /** The spec's source text, exactly as read (for hashing and for copying into checkpoints). */
  source: string;
  data: DataSpec;
  /** Nodes in the order they were written. */
  nodes: GraphNode[];
  output: Ref;
  train: TrainSpec;
  decode: DecodeSpec;
  /**
   * Range of every value in the source by JSON pointer (`/train/batch_size`, `/graph/encoder/hidden`;
   * `''` is the whole document), so any later stage can point at the line to change.
   */
  ranges: Record<string, SourceRange>;
}

/** The streams each task has. */
export const TASK_STREAMS: Record<TaskKind, readonly StreamName[]> = {
  seq2seq: ['source', 'target'],
  'language-model': ['tokens'],
};
