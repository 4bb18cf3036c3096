/** The report's pieces without a checkpoint: curves from metrics records, sentence BLEU, the heatmap's colours. */
import { describe, expect, it } from 'vitest';
import { curvesFromMetrics, reportCurves } from '../../src/report/curves.js';
import { sentenceBleu } from '../../src/report/examples.js';
import { heatmapHtml, weightColor } from '../../src/report/heatmap.js';
import type { MetricsRecord } from '../../src/train/metrics-log.js';

const rec = (step: number, extra: Partial<MetricsRecord> = {}): MetricsRecord =>
  ({ step, epoch: step / 10, train_loss: 2 / step, tokens_per_second: 1000, lr: 0.01, seconds: step, ...extra });

describe('report curves', () => {
  it('puts training and validation figures on shared charts, leaving out series nobody wrote', () => {
    const records = [rec(10), rec(20), { ...rec(20), train_loss: undefined as never, valid_loss: 0.5, valid_ppl: Math.exp(0.5), valid_bleu: 30 } as MetricsRecord, rec(30)];
    const c = curvesFromMetrics(records);
    expect(c.charts.map((x) => x.id)).toEqual(['loss', 'perplexity', 'bleu', 'throughput', 'lr']);
    const loss = c.charts[0]!;
    expect(loss.step).toEqual([10, 20, 20, 30]);
    expect(loss.series.map((s) => s.label)).toEqual(['training', 'validation']);
    expect(loss.series[1]!.values).toEqual([null, null, 0.5, null]);
    // Training perplexity from the loss when only the loss was written.
    expect(c.charts[1]!.series[0]!.values[0]).toBeCloseTo(Math.exp(0.2), 12);
    expect(c.charts[2]!.step).toEqual([20]);
    expect(c.notes).toEqual([]);
  });

  it('says when there is no validation, and when the run stopped after one epoch', () => {
    const c = reportCurves([rec(5), rec(10)], []);
    expect(c.notes.join('\n')).toMatch(/No validation figures/);
    expect(c.notes.join('\n')).toMatch(/stopped after its first epoch/);
  });
});

describe('sentence BLEU', () => {
  it('is sacreBLEU\'s sentence_bleu: effective order, so a short exact translation scores 100', () => {
    expect(sentenceBleu(['va', '!'], ['va', '!'])).toBeCloseTo(100, 10);
    expect(sentenceBleu([], ['va'])).toBe(0);
    // 1-gram 2/3, 2-gram 1/2, 3-gram 0/1 → exp smoothing 100/(2·1); brevity penalty 1.
    expect(sentenceBleu(['a', 'b', 'x'], ['a', 'b', 'c'])).toBeCloseTo(Math.cbrt((200 / 3) * 50 * 50), 10);
  });
});

describe('attention heatmap', () => {
  it('shades 0 white-blue and 1 dark blue, one cell per (token, source token), labels escaped', () => {
    expect(weightColor(0)).toBe('rgb(247,251,255)');
    expect(weightColor(1)).toBe('rgb(8,48,107)');
    const html = heatmapHtml(['a', '<eos>'], ['x', 'y', '<eos>'], [[1, 0, 0], [0.2, 0.3, 0.5]], 'cap');
    expect((html.match(/<td /g) ?? []).length).toBe(6);
    expect(html).toContain('<th scope="row">&lt;eos&gt;</th>');
    expect(html).toContain('title="&lt;eos&gt; ← y: 0.300"');
  });
});
