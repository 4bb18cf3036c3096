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
  DATA_DEFAULTS, DECODE_DEFAULTS, LEARNING_RATE_DEFAULTS, TASK_DATA_DEFAULTS, TRAIN_DEFAULTS,
} from './defaults.js';
import { normalizeNode, refAt, type NodeContext } from './normalize-graph.js';
import type { ParsedYaml } from './parse.js';
import type { RawData, RawDecode, RawSpec, RawStream, RawTrain } from './raw.js';
import { locateKey } from './source-map.js';
import type { CheckpointEvery, DataSpec, DecodeSpec, Spec, StreamSpec, TaskKind, TrainSpec } from './types.js';
import { parseCheckpointEvery } from './checkpoint-every.js';

const TASK_KEYS: Record<TaskKind, { own: string[]; foreign: string[] }> = {
  seq2seq: { own: ['source', 'target'], foreign: ['tokens', 'num_steps', 'sampling'] },
  'language-model': { own: ['tokens'], foreign: ['source', 'target'] },
};

/** Absolute path of the spec file, or a pseudo-name (`<stdin>`) kept as it is. */
export function specFilePath(file: string): string {
  return file.startsWith('<') ? file : resolve(file);
}

function check(ctx: NodeContext, code: 'N001' | 'N002' | 'N003', pointer: string, message: string, help?: string): void {
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
  const stream = (s: RawStream | undefined): StreamSpec => ({
    tokenizer: s?.tokenizer ?? taskDefaults.stream.tokenizer,
    min_freq: s?.min_freq ?? taskDefaults.stream.min_freq,
    max_len: s?.max_len ?? taskDefaults.stream.max_len ?? numSteps,
  });
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
  };
  if (task === 'seq2seq') {
    data.source = stream(raw.source);
    data.target = stream(raw.target);
  } else {
    data.tokens = stream(raw.tokens);
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
