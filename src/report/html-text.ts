/** Text into HTML: escaping for element content and attributes, and JSON for an inline script. */

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside `<script type="application/json">` (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script source safe inside `<script>` (a library's text could hold `</script` in a string). */
export function inlineScript(source: string): string {
  return source.replace(/<\/script/gi, '<\\/script');
}

/** A two-column table of settings. */
export function kvTable(rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`;
}
