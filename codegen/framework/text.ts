/**
 * Splicing text from a spec into generated code, safely. Strings from YAML (names, paths, raw
 * references) never enter code unescaped: string literals go through JSON.stringify, comment text
 * through `commentText` (which cannot close the comment or start a new line).
 */

/** A single-quoted TypeScript string literal for any string. */
export function stringLiteral(value: string): string {
  const json = JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
}

/** A number literal; rejects NaN/Infinity (the schema does too). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`codegen: not a finite number: ${value}`);
  return Object.is(value, -0) ? '0' : String(value);
}

/** Text safe inside a `//` or `/** *\/` comment: one line, no `*\/`. */
export function commentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\*\//g, '*\\/');
}

/** A property key: the identifier itself when it is one, else a string literal. */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && name !== '__proto__' ? name : stringLiteral(name);
}
