/// <reference lib="dom" />
/**
 * The exported page's entry: `seqloom export --web` bundles this with the checkpoint's generated
 * module and inference spec (startPage(Module, spec)). It points tfjs at the wasm binaries beside
 * the page, starts wasm, loads model.safetensors and vocab.json from beside the page, installs
 * window.seqloom and draws the page — or shows why it could not.
 */
import type { GeneratedModuleClass } from '../../runtime/module.js';
import { loadModel, type WebModel } from '../model.js';
import { loadBytes } from '../sources.js';
import type { InferenceSpec } from '../spec-json.js';
import { pageApi, type PageApi } from './api.js';
import { pointWasmAtPage, switchBackend } from './backends.js';
import { errorText, renderPage, showError } from './ui.js';

declare global {
  interface Window { seqloom: PageApi }
}

/** Milliseconds from the start of navigation to each loading step (diagnostics, not the stable API). */
export const timings: Record<string, number> = {};
const mark = <T>(name: string) => (value: T): T => {
  timings[name] = Math.round(performance.now());
  return value;
};

async function load(Module: GeneratedModuleClass, spec: InferenceSpec): Promise<WebModel> {
  mark('script')(null);
  pointWasmAtPage();
  // The downloads and the backend's start overlap; parse errors then name the file, as the CLI does.
  const [weights, vocab] = await Promise.all([
    loadBytes('model.safetensors', 'model.safetensors').then(mark('weights')), loadBytes('vocab.json', 'vocab.json'),
    switchBackend('wasm').catch(() => switchBackend('cpu')).then(mark('backend')),
  ]);
  return loadModel({ weights: weights.bytes, vocab: vocab.bytes, spec, module: Module }).then(mark('model'));
}

export function startPage(Module: GeneratedModuleClass, spec: InferenceSpec): void {
  const model = load(Module, spec);
  const api = pageApi(model);
  window.seqloom = Object.assign(api, { timings });
  const root = document.getElementById('app')!;
  model.then((m) => renderPage(root, api, m)).catch((err: unknown) => {
    showError(root, errorText(err));
    root.dataset.ready = 'error';
  });
}
