/**
 * The report page's only script: draws the training curves with uPlot (inlined beside it) from the
 * JSON the page carries, and switches their x axis between optimizer steps and epochs. Everything
 * else in the page is plain HTML, so it reads even with scripts off.
 *
 * `drawCurves` runs in the browser: the page inlines its source (`drawCurves.toString()`), so it
 * must not refer to anything outside its own body. This file is type-checked without the DOM
 * library (the project's code is not browser code), hence the few structural types below.
 */
import type { Chart } from './curves.js';

/** The JSON the page carries for its script. */
export interface PageData { charts: Chart[] }

interface El {
  clientWidth: number;
  textContent: string | null;
  className: string;
  appendChild(child: El): El;
  replaceChildren(...children: El[]): void;
  setAttribute(name: string, value: string): void;
  addEventListener(type: string, fn: () => void): void;
  querySelectorAll(selector: string): ArrayLike<El>;
}
interface Doc { getElementById(id: string): El | null; createElement(tag: string): El }
interface Win { addEventListener(type: string, fn: () => void): void }
/** The part of uPlot's API used here. */
type UPlotCtor = new (opts: object, data: (number | null)[][], target: El) => { destroy(): void; setSize(size: { width: number; height: number }): void };

export function drawCurves(data: PageData, UPlot: UPlotCtor, doc: Doc, win: Win): void {
  const host = doc.getElementById('charts');
  if (host === null || data.charts.length === 0) return;
  const hasSteps = data.charts.every((c) => c.step !== null);
  let axis: 'step' | 'epoch' = hasSteps ? 'step' : 'epoch';
  let plots: { destroy(): void; setSize(size: { width: number; height: number }): void }[] = [];
  const HEIGHT = 230;
  const width = (el: El): number => Math.max(280, el.clientWidth);
  const fmt = (v: number): string => {
    const a = Math.abs(v);
    if (a === 0) return '0';
    if (a >= 1e4) return `${Math.round(v / 1000)}k`;
    if (a >= 100) return String(Math.round(v));
    if (a >= 1) return String(Number(v.toFixed(2)));
    return v.toPrecision(2);
  };

  const draw = (): void => {
    for (const p of plots) p.destroy();
    plots = [];
    const cards = host.querySelectorAll('.chart-body');
    data.charts.forEach((chart, i) => {
      const target = cards[i];
      if (target === undefined) return;
      target.replaceChildren();
      const x = axis === 'step' && chart.step !== null ? chart.step : chart.epoch;
      const few = x.length < 40;
      // Whole steps or epochs: ticks at whole numbers (1, 2, 5, 10, …), never at 1.25.
      const whole = x.every((v) => Number.isInteger(v)) ? { incrs: [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2500, 5e3, 1e4, 2e4, 25e3, 5e4, 1e5, 2e5, 5e5, 1e6] } : {};
      // A log axis labels (and grids) its powers of ten only; uPlot would mark every 2…9 between them.
      const powersOfTen = (_u: unknown, splits: number[]): (number | null)[] =>
        splits.map((v) => (Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9 ? v : null));
      const decades = chart.log ? { filter: powersOfTen } : {};
      const opts = {
        width: width(target), height: HEIGHT,
        scales: { x: { time: false }, y: chart.log ? { distr: 3 } : {} },
        legend: { show: true, live: true },
        cursor: { points: { size: 7 } },
        axes: [
          { ...whole, label: axis === 'step' ? 'optimizer step' : 'epoch', stroke: '#57606a', grid: { stroke: '#eef1f4', width: 1 },
            ticks: { stroke: '#d0d7de' }, values: (_u: unknown, vals: number[]) => vals.map(fmt), font: '12px system-ui, sans-serif',
            labelFont: '12px system-ui, sans-serif' },
          { ...decades, label: chart.unit, stroke: '#57606a', grid: { stroke: '#eef1f4', width: 1, ...decades }, ticks: { stroke: '#d0d7de', ...decades }, size: 56,
            values: (_u: unknown, vals: (number | null)[]) => vals.map((v) => (v === null ? '' : fmt(v))), font: '12px system-ui, sans-serif',
            labelFont: '12px system-ui, sans-serif' },
        ],
        series: [
          { label: axis === 'step' ? 'step' : 'epoch', value: (_u: unknown, v: number | null) => (v === null ? '–' : fmt(v)) },
          ...chart.series.map((s) => ({
            label: s.label, stroke: s.color, width: 2, spanGaps: true,
            points: { show: few, size: 6, fill: s.color },
            value: (_u: unknown, v: number | null) => (v === null ? '–' : v.toPrecision(4)),
          })),
        ],
      };
      plots.push(new UPlot(opts, [x, ...chart.series.map((s) => s.values)], target));
    });
  };

  const buttons = doc.getElementById('axis-toggle');
  if (buttons !== null) {
    if (!hasSteps) buttons.setAttribute('hidden', '');
    const all = buttons.querySelectorAll('button');
    for (let i = 0; i < all.length; i++) {
      const b = all[i]!;
      b.addEventListener('click', () => {
        axis = b.textContent === 'epoch' ? 'epoch' : 'step';
        for (let j = 0; j < all.length; j++) all[j]!.setAttribute('aria-pressed', String(all[j] === b));
        draw();
      });
    }
  }
  let pending = false;
  win.addEventListener('resize', () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      const cards = host.querySelectorAll('.chart-body');
      plots.forEach((p, i) => { const c = cards[i]; if (c !== undefined) p.setSize({ width: width(c), height: HEIGHT }); });
    }, 100);
  });
  draw();
}
