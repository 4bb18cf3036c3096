/**
 * The report's training curves, from `metrics.jsonl` (read through metrics-log.ts, its one reader)
 * or, for checkpoints written before that file existed, from meta.json's per-epoch `history`. Each
 * chart lists its points against both axes (optimizer step and epoch), so the page can switch
 * between them; a series absent from every record leaves its chart out.
 */
import type { EpochRecord } from '../train/checkpoint.js';
import type { MetricsRecord } from '../train/metrics-log.js';

export interface Series { label: string; color: string; values: (number | null)[] }

export interface Chart {
  id: string;
  title: string;
  /** What the y axis measures. */
  unit: string;
  /** A logarithmic y axis (perplexity spanning more than a decade). */
  log: boolean;
  /** Per point: the optimizer step (null when the source has no steps) and the epoch. */
  step: number[] | null;
  epoch: number[];
  series: Series[];
}

export interface Curves {
  charts: Chart[];
  /** Where the figures came from. */
  source: 'metrics' | 'history' | 'none';
  /** Lines the page shows above the charts (fallbacks, thinning, a one-epoch run). */
  notes: string[];
}

/** Above this many points a chart keeps every k-th training point (validation points always stay). */
export const MAX_POINTS = 2500;

const COLORS = { train: '#2f6fdb', valid: '#d9480f', other: '#2b8a3e', lr: '#7048e8' };

type Field = 'train_loss' | 'train_ppl' | 'valid_loss' | 'valid_ppl' | 'valid_bleu' | 'tokens_per_second' | 'lr';

interface ChartDef { id: string; title: string; unit: string; fields: { field: Field; label: string; color: string }[] }

const CHARTS: ChartDef[] = [
  { id: 'loss', title: 'Loss', unit: 'cross-entropy per token', fields: [
    { field: 'train_loss', label: 'training', color: COLORS.train }, { field: 'valid_loss', label: 'validation', color: COLORS.valid }] },
  { id: 'perplexity', title: 'Perplexity', unit: 'perplexity', fields: [
    { field: 'train_ppl', label: 'training', color: COLORS.train }, { field: 'valid_ppl', label: 'validation', color: COLORS.valid }] },
  { id: 'bleu', title: 'Validation BLEU', unit: 'BLEU', fields: [{ field: 'valid_bleu', label: 'validation BLEU', color: COLORS.valid }] },
  { id: 'throughput', title: 'Throughput', unit: 'tokens / s', fields: [{ field: 'tokens_per_second', label: 'tokens/s', color: COLORS.other }] },
  { id: 'lr', title: 'Learning rate', unit: 'learning rate', fields: [{ field: 'lr', label: 'learning rate', color: COLORS.lr }] },
];

/** A record's value of a field (training perplexity from the loss when only the loss was written). */
function valueOf(r: MetricsRecord, field: Field): number | null {
  const v = r[field];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (field === 'train_ppl' && typeof r.train_loss === 'number' && Number.isFinite(r.train_loss)) return Math.exp(r.train_loss);
  return null;
}

const isValidation = (r: MetricsRecord): boolean => ['valid_loss', 'valid_ppl', 'valid_bleu'].some((f) => typeof r[f] === 'number');

export function curvesFromMetrics(records: readonly MetricsRecord[]): Curves {
  const notes: string[] = [];
  const charts: Chart[] = [];
  let thinned = 0;
  for (const def of CHARTS) {
    let rows = records.filter((r) => def.fields.some(({ field }) => valueOf(r, field) !== null));
    if (rows.length === 0) continue;
    if (rows.length > MAX_POINTS) {
      const stride = Math.ceil(rows.length / MAX_POINTS);
      rows = rows.filter((r, i) => i % stride === 0 || i === rows.length - 1 || isValidation(r));
      thinned = Math.max(thinned, stride);
    }
    const series = def.fields.map(({ field, label, color }) => ({ label, color, values: rows.map((r) => valueOf(r, field)) }))
      .filter((s) => s.values.some((v) => v !== null));
    charts.push({ id: def.id, title: def.title, unit: def.unit, log: def.id === 'perplexity' && spansDecade(series),
      step: rows.map((r) => r.step), epoch: rows.map((r) => r.epoch), series });
  }
  if (thinned > 1) notes.push(`${records.length} records: long charts show every ${thinned}th training point (all validation points).`);
  if (!records.some(isValidation)) notes.push('No validation figures: this run recorded none (no held-out data, or validation was not enabled).');
  return { charts, source: 'metrics', notes };
}

/** Curves from meta.json's per-epoch history (checkpoints from before metrics.jsonl). */
export function curvesFromHistory(history: readonly EpochRecord[]): Curves {
  const epoch = history.map((h) => h.epoch);
  const series = (label: string, color: string, pick: (h: EpochRecord) => number): Series =>
    ({ label, color, values: history.map((h) => (Number.isFinite(pick(h)) ? pick(h) : null)) });
  const chart = (id: string, title: string, unit: string, s: Series): Chart =>
    ({ id, title, unit, log: id === 'perplexity' && spansDecade([s]), step: null, epoch, series: [s] });
  return {
    source: 'history',
    charts: [
      chart('loss', 'Loss', 'cross-entropy per token', series('training', COLORS.train, (h) => h.loss)),
      chart('perplexity', 'Perplexity', 'perplexity', series('training', COLORS.train, (h) => h.perplexity)),
      chart('throughput', 'Throughput', 'tokens / s', series('tokens/s', COLORS.other, (h) => h.tokens_per_second)),
    ],
    notes: ['This checkpoint has no metrics.jsonl (it predates it): the curves come from the per-epoch history in meta.json, '
      + 'so they have no optimizer steps, learning rate or validation figures.'],
  };
}

/** The report's curves: metrics.jsonl when it has records, else meta.json's history, else none. */
export function reportCurves(records: readonly MetricsRecord[], history: readonly EpochRecord[]): Curves {
  const curves = records.length > 0 ? curvesFromMetrics(records)
    : history.length > 0 ? curvesFromHistory(history)
    : { charts: [], source: 'none' as const, notes: [] };
  const epochs = records.length > 0 ? new Set(records.map((r) => Math.ceil(r.epoch))).size : history.length;
  if (curves.source !== 'none' && epochs === 1) {
    curves.notes.push('The run stopped after its first epoch, so each curve has only its first points.');
  }
  return curves;
}

function spansDecade(series: readonly Series[]): boolean {
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
  if (values.length < 2) return false;
  return Math.max(...values) / Math.min(...values) > 10;
}
