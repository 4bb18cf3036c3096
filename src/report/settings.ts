/**
 * The report's settings: how the run went (epochs, steps, time, data, seed, backend and whatever
 * else meta.json records about the machine — e.g. which library multiplied the matrices), the
 * training, data and decoding settings as the spec resolved them, and the spec itself.
 */
import type { Spec, StreamSpec } from '../spec/types.js';
import type { MetricsRecord } from '../train/metrics-log.js';
import type { TrainingMeta } from '../train/checkpoint.js';

export type Row = [string, string];

export interface ReportSettings {
  run: Row[];
  training: Row[];
  data: Row[];
  decoding: Row[];
  specText: string;
}

/** meta.json keys shown elsewhere (or internal); every other key is shown in the run table. */
const KNOWN_META = new Set([
  'format', 'version', 'spec_hash', 'files', 'spec_name', 'task', 'seed', 'epoch', 'step', 'metrics', 'history', 'data',
  'module_rng', 'backend', 'epoch_progress',
]);

/** `1h 02m`, `3m 20s`, `14.2s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

function metaValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = JSON.stringify(v);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

const label = (key: string): string => key.replace(/_/g, ' ');

/** A checkpoint taken inside an epoch says how far into it. */
function midEpoch(progress: unknown, epoch: number): Row[] {
  const batch = (progress as { batch?: unknown } | null)?.batch;
  return typeof batch === 'number' ? [['checkpoint', `inside epoch ${epoch + 1}, after ${batch} batches`]] : [];
}

export function reportSettings(spec: Spec, meta: TrainingMeta, rawMeta: Record<string, unknown>, records: readonly MetricsRecord[],
  totalParams: number): ReportSettings {
  const last = records.at(-1);
  const seconds = last?.seconds ?? (meta.history.length > 0 ? meta.history.reduce((s, h) => s + h.seconds, 0) : null);
  const run: Row[] = [
    ['model', `${spec.name} (${spec.task})`],
    ['parameters', totalParams.toLocaleString('en-US')],
    ['trained', `${meta.epoch} epoch${meta.epoch === 1 ? '' : 's'} of ${spec.train.epochs} in the spec, ${meta.step.toLocaleString('en-US')} optimizer steps`],
    ...(seconds !== null ? [['training time', formatDuration(seconds)] as Row] : []),
    ...midEpoch(rawMeta.epoch_progress, meta.epoch),
    ['data', meta.data.path ?? meta.data.origin],
    ['seed', String(meta.seed)],
    ['backend', meta.backend || 'unknown'],
    ...Object.entries(rawMeta).filter(([k, v]) => !KNOWN_META.has(k) && v !== null && v !== undefined).map(([k, v]): Row => [label(k), metaValue(v)]),
  ];
  const t = spec.train;
  const training: Row[] = [
    ['optimizer', `${t.optimizer.name}, learning rate ${t.optimizer.lr}`],
    ['batch size', String(t.batch_size)],
    ['epochs', String(t.epochs)],
    ['gradient clipping', t.clip_norm === null ? 'none' : `global norm ${t.clip_norm}`],
    ['loss', t.loss],
    ...(spec.task === 'seq2seq' ? [['teacher forcing', String(t.teacher_forcing)] as Row] : [['carry state', String(t.carry_state)] as Row]),
    ['seed', String(t.seed)],
  ];
  const d = spec.data;
  const streamRow = (name: string, s: StreamSpec | undefined): Row[] => (s === undefined ? [] : [[
    name, `${s.tokenizer} tokens, min frequency ${s.min_freq}${name === 'tokens' ? '' : `, at most ${s.max_len} a sentence (<eos> included)`}`,
  ]]);
  const data: Row[] = [
    ['format', d.format],
    ...(d.limit !== null && d.limit !== undefined ? [['limit', String(d.limit)] as Row] : []),
    ['held out', `${d.valid_fraction * 100}%`],
    ...(d.preprocess.length > 0 ? [['preprocess', d.preprocess.join(', ')] as Row] : []),
    ...streamRow('source', d.source), ...streamRow('target', d.target), ...streamRow('tokens', d.tokens),
    ...(d.num_steps !== undefined ? [['steps per sequence', String(d.num_steps)] as Row] : []),
  ];
  const c = spec.decode;
  const decoding: Row[] = [
    ['strategy', c.strategy === 'beam' ? `beam, size ${c.beam_size}` : c.strategy],
    ['max length', String(c.max_len)],
    ['length penalty', String(c.length_penalty)],
    ['n-best', String(c.n_best)],
  ];
  return { run, training, data, decoding, specText: spec.source };
}
