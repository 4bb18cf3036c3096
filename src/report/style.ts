/** The report page's styles (inlined): system fonts, cards, a two-column chart grid, legible heatmaps. */
export const REPORT_CSS = `
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #2f6fdb; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #f3f5f8;
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .9em; }
.wrap { max-width: 1160px; margin: 0 auto; padding: 0 28px; }
header { background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 28px; line-height: 1.2; margin: 0; padding-top: 26px; font-weight: 650; letter-spacing: -.01em; }
.sub { color: var(--muted); margin: 6px 0 12px; }
nav { display: flex; gap: 22px; padding-bottom: 12px; }
nav a { color: var(--accent); text-decoration: none; font-size: 14px; font-weight: 500; }
nav a:hover { text-decoration: underline; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 22px 0 0; }
.figure { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 10px 16px; min-width: 140px; }
.figure b { display: block; font-size: 21px; font-weight: 620; font-variant-numeric: tabular-nums; }
.figure span { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
section { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 22px 26px; margin: 22px 0; }
h2 { font-size: 20px; margin: 0 0 10px; font-weight: 640; }
h3 { font-size: 15px; margin: 16px 0 8px; font-weight: 620; }
.section-head { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; }
.lead { color: var(--muted); margin: 0 0 14px; max-width: 80ch; }
.note { background: #fff8e5; border: 1px solid #eed9a4; color: #5a4512; padding: 8px 12px; border-radius: 8px; font-size: 14px; margin: 0 0 12px; }
.empty { background: #fdf1f0; border: 1px solid #f1c4bf; color: #6b1f17; padding: 14px 16px; border-radius: 8px; }
.toggle { font-size: 13px; color: var(--muted); }
.toggle button { font: inherit; border: 1px solid var(--line); background: #fff; color: var(--ink); padding: 3px 12px; cursor: pointer; }
.toggle button:first-of-type { border-radius: 6px 0 0 6px; margin-left: 6px; }
.toggle button:last-of-type { border-radius: 0 6px 6px 0; border-left: 0; }
.toggle button[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: #fff; }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 18px 26px; }
@media (max-width: 900px) { .charts { grid-template-columns: minmax(0, 1fr); } }
.chart { margin: 0; min-width: 0; }
.chart figcaption { font-weight: 600; font-size: 14px; margin-bottom: 4px; }
.chart-body { min-height: 260px; }
.uplot { font-family: inherit; }
.uplot .u-legend { font-size: 12.5px; }
.graph { overflow: auto; text-align: center; background: var(--soft); border: 1px solid var(--line); border-radius: 10px; padding: 12px; }
.graph svg { max-width: 100%; height: auto; }
.example { border-top: 1px solid var(--line); padding: 16px 0 6px; display: grid; grid-template-columns: minmax(0, 1fr); gap: 8px 28px; }
.example.with-map { grid-template-columns: minmax(0, 1fr) auto; }
.example h3 { grid-column: 1 / -1; margin: 0; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.row { display: grid; grid-template-columns: 90px minmax(0, 1fr); gap: 10px; margin: 4px 0; }
.tag { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; padding-top: 2px; }
.nbest { margin: 0; padding-left: 20px; }
.nbest li { margin: 1px 0; }
.nbest li.best .hyp { font-weight: 600; }
.nbest .score { color: var(--muted); font-size: 12.5px; margin-left: 10px; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; font-size: 11px; padding: 1px 8px; border-radius: 10px; margin-left: 6px; vertical-align: 1px; }
.badge.ok { background: #dafbe1; color: #116329; }
.heatmap { margin: 0; }
.heatmap table { border-collapse: separate; border-spacing: 2px; }
.heatmap td { width: 26px; height: 26px; min-width: 26px; border-radius: 3px; }
.heatmap thead th { vertical-align: bottom; padding: 0 0 4px; }
.heatmap thead th span { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 12.5px; font-weight: 500; white-space: nowrap; max-height: 130px; overflow: hidden; text-overflow: ellipsis; }
.heatmap tbody th { text-align: right; padding: 0 8px 0 0; font-size: 12.5px; font-weight: 500; white-space: nowrap; max-width: 160px; overflow: hidden; text-overflow: ellipsis; }
.heatmap figcaption { color: var(--muted); font-size: 12px; margin-top: 6px; text-align: center; }
.legend { display: flex; align-items: center; gap: 8px; font-size: 12px; color: var(--muted); margin: 0 0 6px; }
.legend i { display: inline-block; width: 160px; height: 10px; border-radius: 3px; border: 1px solid var(--line); }
.legend small { margin-left: 10px; }
.samples { list-style: none; padding: 0; margin: 0; }
.samples li { border-top: 1px solid var(--line); padding: 10px 0; }
.sample { margin: 4px 0 0; white-space: pre-wrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13.5px; }
.settings { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 32px; }
@media (max-width: 900px) { .settings { grid-template-columns: minmax(0, 1fr); } }
table.kv { border-collapse: collapse; width: 100%; font-size: 14px; }
table.kv th { text-align: left; font-weight: 500; color: var(--muted); padding: 4px 16px 4px 0; white-space: nowrap; vertical-align: top; width: 34%; }
table.kv td { padding: 4px 0; border-bottom: 1px solid #eef1f4; word-break: break-word; }
pre.spec { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; font-size: 12.5px; line-height: 1.5; overflow: auto; max-height: 520px; }
footer { color: var(--muted); font-size: 12.5px; margin: 8px 0 40px; }
`;
