/**
 * An attention heatmap as an HTML table: one row per generated token, one column per source token
 * (labels written vertically), each cell shaded by its weight on a white → dark blue scale, the
 * exact weight in its tooltip. Plain HTML and CSS, so it reads without the page's script.
 */
import { escapeHtml } from './html-text.js';

/** ColorBrewer "Blues" (9 classes), from weight 0 to weight 1. */
const BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];

function hex(c: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as [number, number, number];
}

/** The colour of weight w ∈ [0, 1] (linear between the scale's steps). */
export function weightColor(w: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(w) ? w : 0)) * (BLUES.length - 1);
  const i = Math.min(BLUES.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [hex(BLUES[i]!), hex(BLUES[i + 1]!)];
  const mix = a.map((v, k) => Math.round(v + (b[k]! - v) * f));
  return `rgb(${mix.join(',')})`;
}

/** `weights` [rows.length][columns.length]. */
export function heatmapHtml(rows: readonly string[], columns: readonly string[], weights: readonly (readonly number[])[], caption: string): string {
  const head = columns.map((c) => `<th scope="col"><span>${escapeHtml(c)}</span></th>`).join('');
  const body = rows.map((r, i) => {
    const cells = columns.map((c, j) => {
      const w = weights[i]?.[j] ?? 0;
      return `<td style="background:${weightColor(w)}" title="${escapeHtml(`${r} ← ${c}: ${w.toFixed(3)}`)}"></td>`;
    }).join('');
    return `<tr><th scope="row">${escapeHtml(r)}</th>${cells}</tr>`;
  }).join('');
  return `<figure class="heatmap"><table><thead><tr><th></th>${head}</tr></thead><tbody>${body}</tbody></table>`
    + `<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

/** The colour scale's legend: a gradient bar from 0 to 1. */
export function heatmapLegend(): string {
  const stops = BLUES.map((c, i) => `${c} ${Math.round((100 * i) / (BLUES.length - 1))}%`).join(', ');
  return `<div class="legend"><span>0</span><i style="background:linear-gradient(to right, ${stops})"></i><span>1</span>`
    + '<small>attention weight of each generated token (row) over the source tokens (columns)</small></div>';
}
