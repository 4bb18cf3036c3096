/**
 * `seqloom report`: one self-contained HTML page from a checkpoint folder. On tiny trained runs (an
 * attention seq2seq model and a character language model) the page holds the curves' data, the
 * graph as inline SVG, one heatmap per example (or sampled text), the settings; it references no
 * URL; it stays small for a 300-epoch log and bounded for a long per-step log; older checkpoints
 * fall back to meta.json's history, and a folder without metrics says so. In headless Chromium the
 * page renders with no error and no request beyond itself, draws every chart, and a screenshot is
 * saved to test-output/ (git-ignored).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReport } from '../../src/report/build.js';
import { METRICS_FILE, readMetrics, type MetricsRecord } from '../../src/train/metrics-log.js';
import { REPO } from '../e2e/helpers.js';
import { TINY_ATTENTION_SPEC, TINY_LM_SPEC, trainTiny } from '../helpers/tiny-runs.js';
import { describeWithSystem, systemChromium } from '../helpers/system.js';
import { launchChromium, openPage } from '../helpers/browser.js';

let root = '';
let seq2seq = '';
let lm = '';
const SHOTS = path.join(REPO, 'test-output');

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'seqloom-report-'));
  seq2seq = await trainTiny(root, 'attn', TINY_ATTENTION_SPEC);
  lm = await trainTiny(root, 'lm', TINY_LM_SPEC);
}, 120_000);
afterAll(() => { fs.rmSync(root, { recursive: true, force: true }); });

/** A copy of a checkpoint folder, to change without touching the original. */
function copyRun(from: string, name: string): string {
  const to = path.join(root, name);
  fs.cpSync(from, to, { recursive: true });
  return to;
}

/** The JSON the page's script reads. */
function pageData(html: string): { charts: { id: string; step: number[] | null; epoch: number[]; series: { label: string }[] }[] } {
  const m = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!);
}

describe('the report of a seq2seq run with attention', () => {
  let html = '';
  beforeAll(async () => {
    html = (await buildReport({ checkpoint: seq2seq, backend: 'cpu', examples: 4 })).html;
    fs.writeFileSync(path.join(root, 'attn.html'), html);
  }, 60_000);

  it('holds the curves, the graph, one heatmap per example and the settings', () => {
    const data = pageData(html);
    expect(data.charts.map((c) => c.id)).toEqual(['loss', 'perplexity', 'bleu', 'throughput', 'lr']); // held-out data validates every epoch
    expect(data.charts[0]!.step).toEqual(readMetrics(seq2seq).map((r) => r.step));
    expect(html).toMatch(/<svg[^>]*>[\s\S]*attn[\s\S]*<\/svg>/);
    expect(html).toContain('params');
    expect((html.match(/<article class="example with-map">/g) ?? []).length).toBe(4);
    expect((html.match(/<figure class="heatmap">/g) ?? []).length).toBe(4);
    expect(html).toContain('&lt;eos&gt;'); // the heatmaps' source labels end with <eos>
    expect(html).toContain('<pre class="spec">seqloom: 1\nname: tiny-attention');
    expect(html).toMatch(/<th scope="row">backend<\/th><td>cpu<\/td>/);
  });

  it('references nothing outside itself', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:|\/\/)/i);
    expect(html).not.toMatch(/@import/);
  });
});

describe('report sizes and fallbacks', () => {
  it('stays under 3 MB for a 300-epoch run (and bounded for a long per-step log)', async () => {
    const run = copyRun(seq2seq, 'long');
    const epochs: MetricsRecord[] = Array.from({ length: 300 }, (_, i) => ({
      step: (i + 1) * 40, epoch: i + 1, kind: 'epoch', train_loss: 3 / (i + 1), train_ppl: Math.exp(3 / (i + 1)),
      tokens_per_second: 11000 + (i % 7) * 100, lr: 0.005 * 0.99 ** i, seconds: (i + 1) * 0.4,
      valid_loss: 3.2 / (i + 1), valid_ppl: Math.exp(3.2 / (i + 1)), valid_bleu: Math.min(99, i / 3),
    }));
    fs.writeFileSync(path.join(run, METRICS_FILE), epochs.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const r300 = await buildReport({ checkpoint: run, backend: 'cpu' });
    expect(r300.html.length).toBeLessThan(3 * 1024 * 1024);
    expect(pageData(r300.html).charts.map((c) => c.id)).toEqual(['loss', 'perplexity', 'bleu', 'throughput', 'lr']);
    expect(pageData(r300.html).charts[2]!.epoch).toHaveLength(300);

    const steps: MetricsRecord[] = Array.from({ length: 30_000 }, (_, i) => ({
      step: i + 1, epoch: (i + 1) / 100, kind: 'steps', train_loss: 3 / Math.sqrt(i + 1), tokens_per_second: 9000, lr: 0.001, seconds: i * 0.05,
    }));
    fs.writeFileSync(path.join(run, METRICS_FILE), steps.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const long = await buildReport({ checkpoint: run, backend: 'cpu' });
    expect(long.html.length).toBeLessThan(3 * 1024 * 1024);
    expect(pageData(long.html).charts[0]!.step!.length).toBeLessThanOrEqual(2600);
    expect(long.html).toMatch(/30000 records: long charts show every 12th training point/);
  }, 60_000);

  it('uses meta.json\'s history when there is no metrics.jsonl, and says so', async () => {
    const run = copyRun(seq2seq, 'old');
    fs.rmSync(path.join(run, METRICS_FILE));
    const r = await buildReport({ checkpoint: run, backend: 'cpu', examples: 1 });
    const data = pageData(r.html);
    expect(data.charts.map((c) => c.id)).toEqual(['loss', 'perplexity', 'throughput']);
    expect(data.charts[0]!.step).toBeNull();
    expect(data.charts[0]!.epoch).toEqual([1, 2, 3]);
    expect(r.html).toContain('the curves come from the per-epoch history in meta.json');
    expect(r.notes.join('\n')).toMatch(/has no metrics.jsonl; the curves come from meta.json's per-epoch history/);
  }, 60_000);

  it('a checkpoint without any metrics gets a clear message in the page, not an empty page', async () => {
    const run = copyRun(seq2seq, 'bare');
    fs.rmSync(path.join(run, METRICS_FILE));
    const metaFile = path.join(run, 'meta.json');
    fs.writeFileSync(metaFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(metaFile, 'utf8')), history: [] }));
    const r = await buildReport({ checkpoint: run, backend: 'cpu', examples: 1 });
    expect(pageData(r.html).charts).toEqual([]);
    expect(r.html).toContain('No training metrics in this checkpoint.');
    expect(r.html).toMatch(/<svg/); // the rest of the page is still there
    expect(r.notes.join('\n')).toMatch(/has no training metrics/);
  }, 60_000);

  it('a folder that is not a checkpoint is a clear error', async () => {
    await expect(buildReport({ checkpoint: root })).rejects.toThrow(/holds no checkpoint \(no meta.json\)/);
    await expect(buildReport({ checkpoint: path.join(root, 'nope') })).rejects.toThrow(/does not exist/);
  });

  it('a language model gets perplexity curves and sampled text', async () => {
    const r = await buildReport({ checkpoint: lm, backend: 'cpu' });
    expect(pageData(r.html).charts.map((c) => c.id)).toContain('perplexity');
    expect(r.html).toContain('<h2>Sampled text</h2>');
    expect((r.html.match(/<p class="sample">/g) ?? []).length).toBe(4);
  }, 60_000);
});

describeWithSystem(systemChromium(), 'the report in headless Chromium', () => {
  it('renders every chart, the graph and the heatmaps with no error and no request; saves a screenshot', async () => {
    const one = await trainTiny(root, 'one-epoch', TINY_ATTENTION_SPEC.replace('name: tiny-attention', 'name: one-epoch'), { epochs: 1 });
    const pages = [
      { file: path.join(root, 'attn.html'), shot: 'report-seq2seq.png', charts: 5, maps: 4 },
      { file: path.join(root, 'one.html'), html: (await buildReport({ checkpoint: one, backend: 'cpu', examples: 2 })).html, shot: 'report-one-epoch.png', charts: 5, maps: 2 },
      { file: path.join(root, 'lm.html'), html: (await buildReport({ checkpoint: lm, backend: 'cpu' })).html, shot: 'report-lm.png', charts: 4, maps: 0 },
    ];
    fs.mkdirSync(SHOTS, { recursive: true });
    const browser = await launchChromium();
    try {
      for (const p of pages) {
        if (p.html !== undefined) fs.writeFileSync(p.file, p.html);
        const url = pathToFileURL(p.file).href;
        const { page, errors, requests } = await openPage(browser, url);
        await page.waitForSelector('.uplot canvas');
        // From navigation start to the end of the load event (the charts are drawn by then).
        const rendered = await page.evaluate('performance.getEntriesByType("navigation")[0].loadEventEnd') as number;
        expect(await page.locator('.uplot').count()).toBe(p.charts);
        expect(await page.locator('#graph svg g.node').count()).toBeGreaterThanOrEqual(4);
        expect(await page.locator('.heatmap').count()).toBe(p.maps);
        await page.click('#axis-toggle button:has-text("epoch")');
        expect(await page.locator('.u-legend th').first().textContent()).toContain('epoch');
        expect(errors).toEqual([]);
        expect(requests).toEqual([url]);
        await page.screenshot({ path: path.join(SHOTS, p.shot), fullPage: true });
        console.log(`${p.shot}: ${(fs.statSync(p.file).size / 1024).toFixed(0)} KiB, rendered in ${rendered.toFixed(0)} ms`);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
