/// <reference lib="dom" />
/**
 * The attention heatmap of a translation: rows are the generated tokens, columns the source tokens
 * (`<eos>` included), each cell's shade its weight (a row sums to 1). Plain DOM: an HTML table.
 */
export interface HeatmapData {
  source: string[];
  target: string[];
  /** [target.length][source.length] */
  weights: number[][];
}

/** The table, shaded relative to the largest weight (the exact weights are in each cell's title). */
export function renderHeatmap(data: HeatmapData): HTMLElement {
  const max = Math.max(1e-9, ...data.weights.flat());
  const table = document.createElement('table');
  table.className = 'heatmap';
  table.setAttribute('aria-label', 'attention weights: rows are output tokens, columns source tokens');
  const head = table.createTHead().insertRow();
  head.appendChild(document.createElement('th'));
  for (const s of data.source) {
    const th = document.createElement('th');
    th.className = 'src';
    const span = document.createElement('span');
    span.textContent = s;
    th.appendChild(span);
    head.appendChild(th);
  }
  const body = table.createTBody();
  data.target.forEach((t, i) => {
    const row = body.insertRow();
    const th = document.createElement('th');
    th.textContent = t;
    row.appendChild(th);
    data.source.forEach((s, j) => {
      const w = data.weights[i]?.[j] ?? 0;
      const td = row.insertCell();
      td.style.background = `rgba(37, 99, 235, ${Math.min(1, Math.max(0, w / max)).toFixed(3)})`;
      td.title = `${t} ← ${s}: ${w.toFixed(3)}`;
    });
  });
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = `rows: the output tokens; columns: the source tokens; darkest = ${max.toFixed(2)} (hover a cell for its weight)`;
  figure.append(table, caption);
  return figure;
}
