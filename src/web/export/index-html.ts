/** The exported site's index.html: the page's frame and styles (the bundle draws the rest). */

/** Marks a folder as a seqloom web export, so exporting there again may replace it. */
export const GENERATOR_META = '<meta name="generator" content="seqloom export --web">';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `
:root { color-scheme: light; --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --accent: #2563eb; --bg: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
#app { max-width: 980px; margin: 0 auto; padding: 24px 20px 48px; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 12px 16px; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 0; }
h3 { font-size: 14px; font-weight: 600; color: var(--muted); margin: 2px 0 10px; }
h3 q { color: var(--fg); }
figure { margin: 0; display: inline-block; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px; }
figcaption { font-size: 12px; color: var(--muted); margin-top: 8px; max-width: 420px; }
.kind { color: var(--muted); }
.bar { margin-left: auto; display: flex; align-items: center; gap: 8px; color: var(--muted); }
.badge { background: #dcfce7; color: #166534; border-radius: 999px; padding: 2px 10px; font-weight: 600; font-size: 13px; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 16px; box-shadow: 0 1px 2px rgba(0,0,0,.04); }
textarea, input[type=text] { width: 100%; font: inherit; padding: 10px 12px; border: 1px solid var(--line); border-radius: 8px; resize: vertical; }
.row { display: flex; flex-wrap: wrap; align-items: end; gap: 12px; margin-top: 12px; }
.field { display: flex; flex-direction: column; gap: 4px; font-size: 12px; color: var(--muted); }
.field input, .field select { font: inherit; color: var(--fg); padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; min-width: 90px; background: #fff; }
.bar .field { flex-direction: row; align-items: center; }
button { font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px; padding: 8px 18px; cursor: pointer; margin-left: auto; }
button:disabled { opacity: .5; cursor: progress; }
.outputs { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 16px; margin-top: 16px; }
.outputs.single { grid-template-columns: 1fr; }
.result { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; margin-bottom: 10px; cursor: pointer; }
.result.selected { border-color: var(--accent); box-shadow: 0 0 0 2px rgba(37,99,235,.15); }
.source { color: var(--muted); font-size: 13px; }
.translation { font-size: 17px; font-weight: 600; }
.nbest { margin: 8px 0 0; padding-left: 20px; font-size: 13px; }
.nbest li { display: flex; justify-content: space-between; gap: 12px; }
.score { color: var(--muted); font-variant-numeric: tabular-nums; }
.heatmap { border-collapse: collapse; font-size: 12px; background: #fff; }
.heatmap th { font-weight: 500; color: var(--muted); padding: 2px 6px; white-space: nowrap; }
.heatmap tbody th { text-align: right; }
.heatmap thead th.src { height: 90px; vertical-align: bottom; padding: 0; }
.heatmap thead th.src span { display: inline-block; writing-mode: vertical-rl; transform: rotate(180deg); padding: 4px 0; }
.heatmap td { width: 30px; height: 30px; border: 1px solid #fff; border-radius: 3px; }
.sample { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 14px; margin-top: 16px; font: 15px/1.6 ui-monospace, Menlo, monospace; }
.error { white-space: pre-wrap; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 10px; padding: 12px 14px; margin: 12px 0; }
#status { color: var(--muted); }
@media (max-width: 720px) { .outputs { grid-template-columns: 1fr; } }
`;

export function indexHtml(title: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
${GENERATOR_META}
<title>${escapeHtml(title)} · seqloom</title>
<style>${CSS}</style>
</head>
<body>
<div id="app"><p id="status">Loading the model…</p><noscript><div class="error">This page needs JavaScript.</div></noscript></div>
<script src="${escapeHtml(script)}"></script>
</body>
</html>
`;
}
