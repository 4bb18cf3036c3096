/**
 * Where a model's pieces come from (browser-safe): bytes already in memory, or a URL fetched with
 * `fetch` (relative URLs resolve against the page). Every failure is a UserError naming the URL.
 */
import { UserError } from '../errors.js';

export type Bytes = Uint8Array | ArrayBuffer;
/** Bytes, or a URL (a string is a URL too, relative to the page's address). */
export type Source = Bytes | URL | string;

export type Fetch = (url: string) => Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }>;

export function isBytes(x: unknown): x is Bytes {
  return x instanceof Uint8Array || x instanceof ArrayBuffer;
}

/** The URL a string or URL names, absolute where a page gives a base. */
export function resolveUrl(source: URL | string): string {
  if (source instanceof URL) return source.href;
  const base = (globalThis as { document?: { baseURI?: string } }).document?.baseURI;
  try {
    return base === undefined ? new URL(source).href : new URL(source, base).href;
  } catch {
    return source;
  }
}

/** The bytes of `source`, and the name its errors use (the URL, or `name` for bytes given). */
export async function loadBytes(source: Source, name: string, fetchImpl?: Fetch): Promise<{ bytes: Uint8Array; where: string }> {
  if (source instanceof Uint8Array) return { bytes: source, where: name };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), where: name };
  const url = resolveUrl(source);
  const f = fetchImpl ?? (globalThis as { fetch?: Fetch }).fetch;
  if (f === undefined) throw new UserError(`${url}: cannot load (no fetch in this environment)`, 'pass the bytes instead of a URL');
  let response: Awaited<ReturnType<Fetch>>;
  try {
    response = await f(url);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const hint = url.startsWith('file:')
      ? 'browsers do not fetch file: URLs: serve the folder with a static file server (e.g. `python3 -m http.server`)'
      : 'check the URL and that the server is reachable';
    throw new UserError(`${url}: cannot load (${why})`, hint);
  }
  if (!response.ok) throw new UserError(`${url}: cannot load (HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''})`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), where: url };
}
