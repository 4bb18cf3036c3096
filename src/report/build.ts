/**
 * `seqloom report CKPT`: a checkpoint folder → one self-contained HTML page. Reads the checkpoint
 * (weights, spec, vocabularies, meta.json), its metrics.jsonl (or meta.json's history), draws the
 * spec's graph, decodes held-out examples (with attention weights for attention models) or samples
 * text, and inlines it all with uPlot. Read-only: it writes nothing but the page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { LanguageModelModule, Seq2SeqModule } from '../runtime/module.js';
import { buildGraph, graphView, type GraphView } from '../graph/index.js';
import { inlineSvg, renderSvg } from '../graph/render-picture.js';
import { UserError } from '../errors.js';
import { readMetrics, type MetricsRecord } from '../train/metrics-log.js';
import { CHECKPOINT_FILES } from '../train/checkpoint.js';
import { loadTrainedModel, type SpecModuleLoader, type TrainedModel } from '../train/model-loader.js';
import { reportCurves, type Curves } from './curves.js';
import { lmSamples, seq2seqExamples, type ModelExamples } from './examples.js';
import { renderReportHtml, type ReportModel } from './html.js';
import { formatDuration, reportSettings } from './settings.js';

export interface ReportOptions {
  checkpoint: string;
  /** Held-out examples to show (seq2seq) or samples to draw (language model). Default 6 / 3. */
  examples?: number;
  backend?: string;
  loadModule?: SpecModuleLoader;
  /** The time printed in the footer (default: now). */
  now?: Date;
}

export interface ReportResult {
  html: string;
  /** What the command tells on stderr (missing metrics, data that could not be read). */
  notes: string[];
  curves: Curves;
}

export async function buildReport(o: ReportOptions): Promise<ReportResult> {
  const dir = o.checkpoint;
  if (!fs.existsSync(path.join(dir, CHECKPOINT_FILES.meta))) {
    const what = fs.existsSync(dir) ? `${dir} holds no checkpoint (no ${CHECKPOINT_FILES.meta})` : `${dir} does not exist`;
    throw new UserError(what, 'give the folder `seqloom train` wrote (its --out, default runs/<spec name>)');
  }
  const model = await loadTrainedModel(dir, o.backend, o.loadModule);
  try {
    return await assemble(model, o);
  } finally {
    model.module.dispose();
  }
}

async function assemble(model: TrainedModel, o: ReportOptions): Promise<ReportResult> {
  const { spec, checkpoint } = model;
  const meta = checkpoint.meta;
  const notes: string[] = [];
  const records = readMetrics(o.checkpoint);
  const curves = reportCurves(records, meta.history);
  if (curves.source === 'none') notes.push(`note: ${o.checkpoint} has no training metrics (no metrics.jsonl, no history in meta.json); the page says so instead of showing curves`);
  if (curves.source === 'history') notes.push(`note: ${o.checkpoint} has no metrics.jsonl; the curves come from meta.json's per-epoch history`);

  const view = modelView(model);
  let graph: ReportModel['graph'];
  try {
    graph = view === null ? { missing: 'The spec did not build into a graph.' } : { svg: inlineSvg(await renderSvg(view)) };
  } catch (e) {
    graph = { missing: `The graph could not be drawn: ${(e as Error).message}` };
    notes.push(`note: ${graph.missing}`);
  }

  let examples: ReportModel['examples'];
  try {
    examples = { value: modelExamples(model, o.examples) };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    const missing = `The ${spec.task === 'seq2seq' ? 'held-out examples' : 'samples'} could not be made: ${e.message}`;
    examples = { missing };
    notes.push(`note: ${missing}`);
  }

  const rawMeta = JSON.parse(fs.readFileSync(path.join(o.checkpoint, CHECKPOINT_FILES.meta), 'utf8')) as Record<string, unknown>;
  const totalParams = view?.estimate.totalParams ?? 0;
  const settings = reportSettings(spec, meta, rawMeta, records, totalParams);
  const html = renderReportHtml({
    name: spec.name,
    task: spec.task,
    subtitle: subtitle(model, records),
    figures: headlineFigures(model, records, examples),
    curves, graph, examples, settings,
    generatedAt: (o.now ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    assets: uplotAssets(),
  });
  return { html, notes, curves };
}

/** The graph with the checkpoint's vocabulary sizes and the training batch size. */
function modelView(model: TrainedModel): GraphView | null {
  const built = buildGraph(model.spec);
  if (!built.value) return null;
  const v = model.checkpoint.vocabs;
  const vocab = v.task === 'seq2seq' ? { source: v.source.size, target: v.target.size } : { tokens: v.tokens.size };
  return graphView(built.value, { batch: model.spec.train.batch_size, vocab });
}

function modelExamples(model: TrainedModel, count: number | undefined): ModelExamples {
  return model.spec.task === 'seq2seq'
    ? seq2seqExamples(model.module as Seq2SeqModule, model.spec, model.checkpoint, count ?? 6)
    : lmSamples(model.module as LanguageModelModule, model.spec, model.checkpoint, count ?? 3);
}

function subtitle(model: TrainedModel, records: readonly MetricsRecord[]): string {
  const m = model.checkpoint.meta;
  const task = model.spec.task === 'seq2seq' ? 'sequence-to-sequence model' : 'language model';
  const last = records.at(-1);
  const time = last ? `, ${formatDuration(last.seconds)} of training` : '';
  return `A ${task} trained ${m.epoch} epoch${m.epoch === 1 ? '' : 's'} (${m.step.toLocaleString('en-US')} steps${time}) on ${m.data.origin}, backend ${m.backend}.`;
}

function headlineFigures(model: TrainedModel, records: readonly MetricsRecord[], examples: ReportModel['examples']): ReportModel['figures'] {
  const m = model.checkpoint.meta;
  const out: ReportModel['figures'] = [{ label: 'epochs', value: `${m.epoch} / ${model.spec.train.epochs}` }];
  const lastTrain = [...records].reverse().find((r) => typeof r.train_loss === 'number');
  const loss = lastTrain?.train_loss ?? m.metrics.loss;
  if (loss !== undefined) out.push({ label: 'training loss', value: loss.toFixed(3) }, { label: 'training perplexity', value: Math.exp(loss).toFixed(2) });
  const lastValid = [...records].reverse().find((r) => typeof r.valid_loss === 'number' || typeof r.valid_bleu === 'number');
  if (typeof lastValid?.valid_ppl === 'number') out.push({ label: 'validation perplexity', value: lastValid.valid_ppl.toFixed(2) });
  if (typeof lastValid?.valid_bleu === 'number') out.push({ label: 'validation BLEU', value: lastValid.valid_bleu.toFixed(1) });
  if ('value' in examples && examples.value.task === 'seq2seq' && examples.value.examples.length > 0) {
    out.push({ label: `BLEU, ${examples.value.examples.length} examples`, value: examples.value.bleu.toFixed(1) });
  }
  const tps = lastTrain?.tokens_per_second ?? m.metrics.tokens_per_second;
  if (tps !== undefined) out.push({ label: 'tokens / s', value: Math.round(tps).toLocaleString('en-US') });
  return out;
}

/** uPlot's browser build and stylesheet, read from its package to inline. */
function uplotAssets(): ReportModel['assets'] {
  const require = createRequire(import.meta.url);
  const dist = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    uplotJs: fs.readFileSync(path.join(dist, 'uPlot.iife.min.js'), 'utf8'),
    uplotCss: fs.readFileSync(path.join(dist, 'uPlot.min.css'), 'utf8'),
  };
}
