/**
 * window.seqloom, the page's stable API (checks call it):
 *   ready: Promise<void>                       the model is loaded and a backend runs (rejects with the load error)
 *   translate(sentences, opts?) → Promise      exactly `seqloom translate --json`'s {"results": [...]}
 *   sample(prefix, opts?) → Promise            exactly `seqloom sample --json`'s {"prefix", "continuation", "text", "tokens"}
 *   backend(): string                          the tfjs backend running now ('wasm', 'webgl', 'cpu')
 *   setBackend(name) → Promise<string>         switch backends (what the page's switch does)
 * opts as the CLI's flags: {strategy, beam, beamSize, maxLen, nBest, lengthPenalty, attention} (attention:
 * `translate --json --attention`'s tokens and weights) and {len, temperature, seed}. Errors reject
 * with the CLI's message.
 */
import type { TranslationResult } from '../../train/translate.js';
import type { WebModel, TranslateFlags } from '../model.js';
import { currentBackend, switchBackend, type PageBackend } from './backends.js';

export interface SampleFlags { len?: number; temperature?: number; seed?: number }

export interface PageApi {
  ready: Promise<void>;
  translate(sentences: string[], opts?: TranslateFlags): Promise<{ results: TranslationResult[] }>;
  sample(prefix: string, opts?: SampleFlags): Promise<{ prefix: string; continuation: string; text: string; tokens: number }>;
  backend(): string;
  setBackend(name: PageBackend): Promise<string>;
}

/** As printed by the CLI (JSON.stringify: a non-finite score becomes null). */
function asJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function pageApi(model: Promise<WebModel>): PageApi {
  const ready = model.then(() => undefined);
  ready.catch(() => {}); // reported on the page; callers awaiting `ready` still see the rejection
  return {
    ready,
    async translate(sentences, opts = {}) {
      const m = await model;
      return asJson({ results: m.translate(sentences, opts).results });
    },
    async sample(prefix, opts = {}) {
      const m = await model;
      const out = m.sample({ prefix, length: opts.len, temperature: opts.temperature, seed: opts.seed ?? 0 });
      return asJson({ prefix: out.prefix, continuation: out.continuation, text: out.text, tokens: out.tokens });
    },
    backend: currentBackend,
    async setBackend(name) {
      await model;
      return switchBackend(name);
    },
  };
}
