/**
 * The report as one HTML document: styles, uPlot and the page's script inlined, the data as JSON,
 * the model graph as inline SVG, the examples, heatmaps and settings as plain HTML. Nothing is
 * fetched: it opens from disk, offline, in any modern browser.
 */
import type { Curves } from './curves.js';
import type { ModelExamples, Seq2SeqExamples, LmSamples } from './examples.js';
import type { ReportSettings } from './settings.js';
import { heatmapHtml, heatmapLegend } from './heatmap.js';
import { escapeHtml, inlineScript, kvTable, scriptJson } from './html-text.js';
import { drawCurves, type PageData } from './page-script.js';
import { REPORT_CSS } from './style.js';

export interface ReportModel {
  name: string;
  task: 'seq2seq' | 'language-model';
  /** One line under the title. */
  subtitle: string;
  /** Headline figures. */
  figures: { label: string; value: string }[];
  curves: Curves;
  /** Inline `<svg>` of the model graph, or why there is none. */
  graph: { svg: string } | { missing: string };
  examples: { value: ModelExamples } | { missing: string };
  settings: ReportSettings;
  generatedAt: string;
  assets: { uplotJs: string; uplotCss: string };
}

const e = escapeHtml;

function curvesSection(c: Curves): string {
  const notes = c.notes.map((n) => `<p class="note">${e(n)}</p>`).join('');
  if (c.charts.length === 0) {
    return '<section id="curves"><h2>Training curves</h2><p class="empty"><b>No training metrics in this checkpoint.</b> '
      + 'It has no <code>metrics.jsonl</code> and its <code>meta.json</code> has no per-epoch history, so there is nothing to plot. '
      + 'Runs of <code>seqloom train</code> write <code>metrics.jsonl</code> as they go; train (or resume) this model to get curves.</p></section>';
  }
  const cards = c.charts.map((ch) => `<figure class="chart" data-chart="${e(ch.id)}"><figcaption>${e(ch.title)}</figcaption><div class="chart-body"></div></figure>`).join('');
  const toggle = '<div id="axis-toggle" class="toggle" role="group" aria-label="x axis">x axis: '
    + '<button type="button" aria-pressed="true">step</button><button type="button" aria-pressed="false">epoch</button></div>';
  return `<section id="curves"><div class="section-head"><h2>Training curves</h2>${toggle}</div>${notes}<div id="charts" class="charts">${cards}</div>`
    + '<noscript><p class="note">The charts need JavaScript; everything else in this page reads without it.</p></noscript></section>';
}

function graphSection(g: ReportModel['graph']): string {
  const body = 'svg' in g ? `<div class="graph">${g.svg}</div>` : `<p class="note">${e(g.missing)}</p>`;
  return `<section id="graph"><h2>Model graph</h2><p class="lead">Shapes with B the batch and T the sequence lengths; parameters and activation memory per node (at the training batch size). Dashed arrows read the previous step.</p>${body}</section>`;
}

function seq2seqSection(x: Seq2SeqExamples): string {
  const withAttention = x.attentionNode !== null;
  const head = `<p class="lead">${x.examples.length} of ${x.total.toLocaleString('en-US')} ${x.split} sentences, decoded with ${e(x.decoding)}. `
    + `BLEU of these ${x.examples.length}: <b>${x.bleu.toFixed(1)}</b> (corpus BLEU as sacreBLEU computes it; per example, the best hypothesis' sentence BLEU).`
    + `${withAttention ? ` Heatmaps: the weights of attention node <code>${e(x.attentionNode!)}</code> for the best hypothesis.` : ''}</p>`
    + (withAttention ? heatmapLegend() : '');
  const items = x.examples.map((ex, i) => {
    const hyps = ex.hypotheses.map((h, k) => `<li${k === 0 ? ' class="best"' : ''}><span class="hyp">${e(h.text) || '<i>(empty)</i>'}</span>`
      + `<span class="score">${Number.isFinite(h.score) ? h.score.toFixed(3) : String(h.score)}</span></li>`).join('');
    const mark = ex.exact ? '<span class="badge ok">exact</span>' : '';
    const text = `<div class="ex-text"><div class="row"><span class="tag">source</span><span>${e(ex.source)}</span></div>`
      + `<div class="row"><span class="tag">reference</span><span>${e(ex.reference)}</span></div>`
      + `<div class="row"><span class="tag">n-best</span><ol class="nbest">${hyps}</ol></div>`
      + `<div class="row"><span class="tag">BLEU</span><span><b>${ex.bleu.toFixed(1)}</b> ${mark}</span></div></div>`;
    const best = ex.hypotheses[0];
    const map = ex.attention !== null && best !== undefined
      ? heatmapHtml(best.tokens, ex.sourceTokens, ex.attention, `example ${i + 1}: ${best.tokens.length} generated × ${ex.sourceTokens.length} source tokens`)
      : '';
    return `<article class="example${map ? ' with-map' : ''}"><h3>Example ${i + 1}</h3>${text}${map}</article>`;
  }).join('');
  return `<section id="examples"><h2>${x.split === 'held-out' ? 'Held-out examples' : 'Examples (training split: the spec holds nothing out)'}</h2>${head}${items}</section>`;
}

function lmSection(x: LmSamples): string {
  const samples = x.samples.map((s) => `<li><span class="tag">seed ${s.seed}, temperature ${s.temperature}</span><p class="sample">${e(s.text)}</p></li>`).join('');
  return `<section id="examples"><h2>Sampled text</h2><p class="lead">Continuations of the held-out text's start, <code>${e(x.prefix)}</code>.</p>`
    + `<ul class="samples"><li><span class="tag">greedy (temperature 0)</span><p class="sample">${e(x.greedy)}</p></li>${samples}</ul></section>`;
}

function examplesSection(m: ReportModel): string {
  if ('missing' in m.examples) {
    const title = m.task === 'seq2seq' ? 'Held-out examples' : 'Sampled text';
    return `<section id="examples"><h2>${title}</h2><p class="note">${e(m.examples.missing)}</p></section>`;
  }
  const x = m.examples.value;
  return x.task === 'seq2seq' ? seq2seqSection(x) : lmSection(x);
}

function settingsSection(s: ReportSettings): string {
  const block = (title: string, rows: ReportSettings['run']): string => `<div><h3>${title}</h3>${kvTable(rows)}</div>`;
  return `<section id="settings"><h2>Settings</h2><div class="settings">${block('Run', s.run)}${block('Training', s.training)}`
    + `${block('Data', s.data)}${block('Decoding', s.decoding)}</div><h3>The spec</h3><pre class="spec">${e(s.specText)}</pre></section>`;
}

export function renderReportHtml(m: ReportModel): string {
  const data: PageData = { charts: m.curves.charts };
  const figures = m.figures.map((f) => `<div class="figure"><b>${e(f.value)}</b><span>${e(f.label)}</span></div>`).join('');
  const title = `${m.name} — seqloom training report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="seqloom report">
<title>${e(title)}</title>
<style>${m.assets.uplotCss}</style>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><div class="wrap">
<h1>${e(m.name)}</h1>
<p class="sub">${e(m.subtitle)}</p>
<nav><a href="#curves">Curves</a><a href="#graph">Graph</a><a href="#examples">${m.task === 'seq2seq' ? 'Examples' : 'Samples'}</a><a href="#settings">Settings</a></nav>
</div></header>
<main class="wrap">
<div class="figures">${figures}</div>
${curvesSection(m.curves)}
${graphSection(m.graph)}
${examplesSection(m)}
${settingsSection(m.settings)}
<footer>Written by <code>seqloom report</code> on ${e(m.generatedAt)}. One self-contained file: charts by uPlot, graph laid out by Graphviz (viz.js), both inlined.</footer>
</main>
<script type="application/json" id="report-data">${scriptJson(data)}</script>
<script>${inlineScript(m.assets.uplotJs)}</script>
<script>(${inlineScript(drawCurves.toString())})(JSON.parse(document.getElementById('report-data').textContent), uPlot, document, window);</script>
</body>
</html>
`;
}
