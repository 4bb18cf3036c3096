/**
 * Stage 3: schema-valid data → the typed `Spec` (src/spec/types.ts). The one place defaults are
 * applied (values in ./defaults.ts); references are parsed; `data.path` is resolved against the
 * spec file's folder; cross-field rules the schema cannot state are checked (streams that do not
 * fit the task, `n_best` > `beam_size`, options that do not apply).
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { diagnostic, failure, hasErrors } from '../diagnostics/factories.js';
import type { Diagnostic, Result, SourceRange } from '../diagnostics/types.js';
import {
  DATA_DEFAULTS, DECODE_DEFAULTS, LEARNING_RATE_DEFAULTS, PLATEAU_DEFAULTS, TASK_DATA_DEFAULTS, TRAIN_DEFAULTS,
} from './defaults.js';
import { normalizeNode, refAt, type NodeContext } from './normalize-graph.js';
import type { ParsedYaml } from './parse.js';
import type { RawData, RawDecode, RawSpec, RawStream, RawTrain } from './raw.js';
import { locateKey } from './source-map.js';
import type { CheckpointEvery, DataSpec, DecodeSpec, Spec, StreamSpec, TaskKind, TrainSpec, ValidationMetric } from './types.js';
import { parseCheckpointEvery } from './checkpoint-every.js';

const TASK_KEYS: Record<TaskKind, { own: string[]; foreign: string[] }> = {
  seq2seq: { own: ['source', 'target'], foreign: ['tokens', 'num_steps', 'sampling'] },
  'language-model': { own: ['tokens'], foreign: ['source', 'target', 'bucketing', 'shared_bpe'] },
};

/** Absolute path of the spec file, or a pseudo-name (`<stdin>`) kept as it is. */
export function specFilePath(file: string): string {
  return file.startsWith('<') ? file : resolve(file);
}

function check(ctx: NodeContext, code: 'N001' | 'N002' | 'N003' | 'N004' | 'N005', pointer: string, message: string, help?: string): void {
  ctx.diagnostics.push(diagnostic({ code, file: ctx.file, range: locateKey(ctx.sourceMap, pointer), path: pointer, message, help }));
}

function normalizeData(ctx: NodeContext, task: TaskKind, file: string, raw: RawData = {}): DataSpec {
  const taskDefaults = TASK_DATA_DEFAULTS[task];
  for (const key of TASK_KEYS[task].foreign) {
    if (key in raw) {
      check(ctx, 'N001', `/data/${key}`, `\`data.${key}\` belongs to ${task === 'seq2seq' ? 'language-model' : 'seq2seq'} specs; this spec's task is ${task}`,
        task === 'seq2seq' ? 'a seq2seq spec has the streams `source` and `target`' : 'a language model has one stream, `tokens`');
    }
  }
  const format = raw.format ?? taskDefaults.format;
  if (format !== taskDefaults.format) {
    check(ctx, 'N001', '/data/format', `\`format: ${format}\` does not fit task ${task}; it reads \`${taskDefaults.format}\``);
  }
  const numSteps = raw.num_steps ?? DATA_DEFAULTS.num_steps;
  const stream = (s: RawStream | undefined, name: string): StreamSpec => {
    const tokenizer = s?.tokenizer ?? taskDefaults.stream.tokenizer;
    if (tokenizer === 'bpe' && s?.merges === undefined) {
      check(ctx, 'N004', `/data/${name}/tokenizer`, '`tokenizer: bpe` needs `merges`: how many merges to learn on the training split',
        `add \`merges: 8000\` (or another count) to data.${name}`);
    } else if (tokenizer !== 'bpe' && s?.merges !== undefined) {
      check(ctx, 'N003', `/data/${name}/merges`, `\`merges\` applies to \`tokenizer: bpe\` only; this stream's tokenizer is \`${tokenizer}\``,
        'remove it, or set `tokenizer: bpe`');
    }
    return {
      tokenizer,
      min_freq: s?.min_freq ?? taskDefaults.stream.min_freq,
      max_len: s?.max_len ?? taskDefaults.stream.max_len ?? numSteps,
      merges: tokenizer === 'bpe' ? s?.merges ?? null : null,
    };
  };
  const path = raw.path ?? null;
  const folder = file.startsWith('<') ? process.cwd() : dirname(resolve(file));
  const data: DataSpec = {
    path,
    resolvedPath: path === null ? null : isAbsolute(path) ? path : resolve(folder, path),
    format,
    limit: raw.limit ?? null,
    preprocess: [...(raw.preprocess ?? DATA_DEFAULTS.preprocess)],
    on_bad_line: raw.on_bad_line ?? DATA_DEFAULTS.on_bad_line,
    valid_fraction: raw.valid_fraction ?? DATA_DEFAULTS.valid_fraction,
    max_vocab: raw.max_vocab ?? null,
    bucketing: raw.bucketing ?? DATA_DEFAULTS.bucketing,
    shared_bpe: raw.shared_bpe ?? DATA_DEFAULTS.shared_bpe,
  };
  if (task === 'seq2seq') {
    data.source = stream(raw.source, 'source');
    data.target = stream(raw.target, 'target');
    if (data.shared_bpe) {
      const { source, target } = data;
      if (source.tokenizer !== 'bpe' || target.tokenizer !== 'bpe') {
        check(ctx, 'N004', '/data/shared_bpe', `\`shared_bpe\` needs \`tokenizer: bpe\` on both streams (source: ${source.tokenizer}, target: ${target.tokenizer})`);
      } else if (source.merges !== null && target.merges !== null && source.merges !== target.merges) {
        check(ctx, 'N004', '/data/target/merges', `with \`shared_bpe\`, one model is learned for both streams, but the merges differ (source ${source.merges}, target ${target.merges})`,
          'give both streams the same `merges`');
      }
    }
  } else {
    data.tokens = stream(raw.tokens, 'tokens');
    data.num_steps = numSteps;
    data.sampling = raw.sampling ?? DATA_DEFAULTS.sampling;
  }
  return data;
}

function normalizeTrain(ctx: NodeContext, task: TaskKind, data: DataSpec, raw: RawTrain = {}): TrainSpec {
  const name = raw.optimizer?.name ?? TRAIN_DEFAULTS.optimizer;
  let carry = raw.carry_state ?? (task === 'language-model' && data.sampling === 'sequential');
  if (raw.carry_state !== undefined && task !== 'language-model') {
    check(ctx, 'N003', '/train/carry_state', '`carry_state` applies to language models only', 'remove it');
    carry = false;
  } else if (raw.carry_state === true && data.sampling === 'random') {
    check(ctx, 'N003', '/train/carry_state', '`carry_state: true` needs `data.sampling: sequential`: random subsequences do not continue each other');
  }
  return {
    loss: raw.loss ?? TRAIN_DEFAULTS.loss,
    teacher_forcing: raw.teacher_forcing ?? TRAIN_DEFAULTS.teacher_forcing,
    optimizer: { name, lr: raw.optimizer?.lr ?? LEARNING_RATE_DEFAULTS[name] },
    clip_norm: raw.clip_norm === undefined ? TRAIN_DEFAULTS.clip_norm : raw.clip_norm,
    epochs: raw.epochs ?? TRAIN_DEFAULTS.epochs,
    batch_size: raw.batch_size ?? TRAIN_DEFAULTS.batch_size,
    seed: raw.seed ?? TRAIN_DEFAULTS.seed,
    carry_state: carry,
    checkpoint_every: checkpointEvery(ctx, raw.checkpoint_every),
    keep_last: raw.keep_last ?? TRAIN_DEFAULTS.keep_last,
    ...normalizeTrainExtras(ctx, task, data, raw),
  };
}

/** Batching by tokens, validation, best checkpoint, early stopping and the lr schedule. */
function normalizeTrainExtras(
  ctx: NodeContext, task: TaskKind, data: DataSpec, raw: RawTrain,
): Pick<TrainSpec, 'batch_tokens' | 'validate_every' | 'bleu_sentences' | 'keep_best' | 'early_stopping' | 'lr_schedule'> {
  const lm = task === 'language-model';
  let batchTokens = raw.batch_tokens ?? null;
  if (batchTokens !== null) {
    const longest = Math.max(data.source?.max_len ?? 0, data.target?.max_len ?? 0);
    if (lm) {
      check(ctx, 'N003', '/train/batch_tokens', '`batch_tokens` applies to seq2seq specs; a language model\'s batches are `batch_size` × `data.num_steps`',
        'use `batch_size`');
      batchTokens = null;
    } else if (raw.batch_size !== undefined) {
      check(ctx, 'N005', '/train/batch_tokens', '`batch_tokens` and `batch_size` both size the batches; give one of them');
    } else if (batchTokens < longest) {
      check(ctx, 'N005', '/train/batch_tokens', `\`batch_tokens: ${batchTokens}\` is smaller than the longest allowed sentence (${longest} tokens, the larger \`max_len\`): such a sentence fits no batch`,
        `raise it to at least ${longest} (a few thousand is usual), or lower data.source/target.max_len`);
    }
  }
  const validateEvery = raw.validate_every ?? TRAIN_DEFAULTS.validate_every;
  const plateauRaw = raw.lr_schedule?.reduce_on_plateau;
  const plateau = plateauRaw === undefined ? null : {
    metric: plateauRaw.metric ?? PLATEAU_DEFAULTS.metric, factor: plateauRaw.factor ?? PLATEAU_DEFAULTS.factor,
    patience: plateauRaw.patience ?? PLATEAU_DEFAULTS.patience, min_lr: plateauRaw.min_lr ?? PLATEAU_DEFAULTS.min_lr,
  };
  const keepBest = raw.keep_best ?? null;
  const early = raw.early_stopping === undefined ? null
    : { metric: raw.early_stopping.metric ?? keepBest ?? 'loss', patience: raw.early_stopping.patience };
  const users: [string, ValidationMetric | null][] = [
    ['/train/keep_best', keepBest], ['/train/early_stopping', early?.metric ?? null], ['/train/lr_schedule/reduce_on_plateau', plateau?.metric ?? null],
  ];
  for (const [pointer, metric] of users) {
    if (metric === null) continue;
    const key = pointer.split('/').at(-1)!;
    if (validateEvery === 'none') {
      check(ctx, 'N005', pointer, `\`${key}\` needs validation, but \`validate_every\` is \`none\``, 'set `validate_every: epoch` (or a step count)');
    } else if (lm && metric === 'bleu') {
      check(ctx, 'N003', pointer, `a language model is validated by loss; \`${key}\` cannot use \`bleu\``, 'use `loss`');
    } else if (metric === 'bleu' && raw.bleu_sentences === 0) {
      check(ctx, 'N005', pointer, `\`${key}\` uses BLEU, but \`bleu_sentences: 0\` decodes nothing`, 'raise bleu_sentences, or use `loss`');
    }
  }
  return {
    batch_tokens: batchTokens, validate_every: validateEvery, bleu_sentences: raw.bleu_sentences ?? TRAIN_DEFAULTS.bleu_sentences,
    keep_best: keepBest, early_stopping: early,
    lr_schedule: { warmup_steps: raw.lr_schedule?.warmup_steps ?? 0, reduce_on_plateau: plateau },
  };
}

function checkpointEvery(ctx: NodeContext, raw: string | number | undefined): CheckpointEvery | null {
  if (raw === undefined) return null;
  if (typeof raw === 'number') {
    check(ctx, 'N002', '/train/checkpoint_every', `\`checkpoint_every: ${raw}\` needs a unit`, `write \`${raw} epochs\` or \`${raw} steps\` (or a time: \`${raw} min\`)`);
    return null;
  }
  const every = parseCheckpointEvery(raw);
  if ('error' in every) {
    check(ctx, 'N002', '/train/checkpoint_every', `\`checkpoint_every: ${raw}\`: ${every.error}`);
    return null;
  }
  return every;
}

function normalizeDecode(ctx: NodeContext, data: DataSpec, raw: RawDecode = {}): DecodeSpec {
  const decode: DecodeSpec = {
    strategy: raw.strategy ?? DECODE_DEFAULTS.strategy,
    beam_size: raw.beam_size ?? DECODE_DEFAULTS.beam_size,
    max_len: raw.max_len ?? data.target?.max_len ?? DECODE_DEFAULTS.lm_max_len,
    length_penalty: raw.length_penalty ?? DECODE_DEFAULTS.length_penalty,
    n_best: raw.n_best ?? DECODE_DEFAULTS.n_best,
  };
  if (decode.strategy === 'beam' && decode.n_best > decode.beam_size) {
    check(ctx, 'N002', '/decode/n_best', `\`n_best\` (${decode.n_best}) must not exceed \`beam_size\` (${decode.beam_size}): a beam keeps only that many hypotheses`);
  } else if (decode.strategy === 'greedy' && decode.n_best > 1) {
    check(ctx, 'N002', '/decode/n_best', `greedy search finds one hypothesis, so \`n_best\` must be 1 (got ${decode.n_best})`,
      'use `strategy: beam` for an n-best list');
  }
  return decode;
}

/** The typed spec, or the diagnostics that prevent it. `parsed.data` must have passed the schema. */
export function normalizeSpec(parsed: ParsedYaml, source: string): Result<Spec> {
  const raw = parsed.data as unknown as RawSpec;
  const ctx: NodeContext = { file: parsed.file, sourceMap: parsed.sourceMap, diagnostics: [] };
  const data = normalizeData(ctx, raw.task, parsed.file, raw.data);
  const nodes = Object.entries(raw.graph).map(([name, node]) => normalizeNode(ctx, name, node));
  const output = refAt(ctx, raw.output, '/output');
  const train = normalizeTrain(ctx, raw.task, data, raw.train);
  const decode = normalizeDecode(ctx, data, raw.decode);
  const diagnostics: Diagnostic[] = ctx.diagnostics;
  if (hasErrors(diagnostics)) return failure(diagnostics);
  const ranges: Record<string, SourceRange> = Object.fromEntries(parsed.sourceMap.values);
  return {
    value: {
      seqloom: 1, name: raw.name, task: raw.task, file: specFilePath(parsed.file), source,
      data, nodes, output, train, decode, ranges,
    },
    diagnostics,
  };
}
