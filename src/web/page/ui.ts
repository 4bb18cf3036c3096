/// <reference lib="dom" />
/**
 * The page: a model card, the backend switch and its label, then either the translation panel
 * (text box, greedy or beam with a beam size, n-best with scores, the attention heatmap of the
 * translation shown) or the sampling panel (prefix, length, temperature, seed). Everything goes
 * through window.seqloom (api.ts), as checks do; load errors are shown, never a blank page.
 */
import type { WebModel } from '../model.js';
import type { TranslationResult } from '../../train/translate.js';
import { renderHeatmap } from './heatmap.js';
import type { PageApi } from './api.js';
import { backendLabel, PAGE_BACKENDS, type PageBackend } from './backends.js';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function field(label: string, input: HTMLElement): HTMLElement {
  return el('label', { class: 'field' }, el('span', {}, label), input);
}

export function showError(root: HTMLElement, message: string): void {
  root.querySelector('#status')?.remove();
  const box = root.querySelector<HTMLElement>('#error') ?? root.appendChild(el('div', { id: 'error', role: 'alert', class: 'error' }));
  box.textContent = message;
}

function clearError(root: HTMLElement): void {
  root.querySelector('#error')?.remove();
}

export function errorText(err: unknown): string {
  if (err instanceof Error) {
    const hint = (err as { hint?: string }).hint;
    return `${err.message}${hint ? `\nhelp: ${hint}` : ''}`;
  }
  return String(err);
}

async function backendBar(root: HTMLElement, api: PageApi): Promise<HTMLElement> {
  const select = el('select', { id: 'backend' });
  for (const b of PAGE_BACKENDS) select.append(el('option', { value: b }, b));
  select.value = api.backend();
  const label = el('span', { id: 'backend-label', class: 'badge' }, await backendLabel());
  select.addEventListener('change', async () => {
    try {
      await api.setBackend(select.value as PageBackend);
      clearError(root);
    } catch (err) {
      showError(root, errorText(err));
      select.value = api.backend();
    }
    label.textContent = await backendLabel();
  });
  return el('div', { class: 'bar' }, field('backend', select), el('span', {}, 'running on '), label);
}

function nbestList(r: TranslationResult): HTMLElement {
  const list = el('ol', { class: 'nbest' });
  for (const h of r.n_best) list.append(el('li', {}, el('span', { class: 'hyp' }, h.translation), el('span', { class: 'score' }, h.score.toFixed(4))));
  return list;
}

function translatePanel(root: HTMLElement, api: PageApi, model: WebModel): HTMLElement {
  const d = model.spec.decode;
  const text = el('textarea', { id: 'input', rows: '4', placeholder: 'one sentence per line' });
  const strategy = el('select', { id: 'strategy' }, el('option', { value: 'greedy' }, 'greedy'), el('option', { value: 'beam' }, 'beam'));
  strategy.value = d.strategy === 'greedy' ? 'greedy' : 'beam';
  const beam = el('input', { id: 'beam', type: 'number', min: '1', max: '64', value: String(d.beam_size) });
  const nbest = el('input', { id: 'nbest', type: 'number', min: '1', max: '64', value: String(Math.min(Math.max(d.n_best, 3), d.beam_size)) });
  const go = el('button', { id: 'translate', type: 'submit' }, 'Translate');
  const out = el('div', { id: 'results' });
  const heat = el('div', { id: 'heatmap' });
  const sync = () => { beam.disabled = nbest.disabled = strategy.value === 'greedy'; };
  strategy.addEventListener('change', sync);
  sync();
  const form = el('form', { class: 'panel' }, text, el('div', { class: 'row' }, field('search', strategy), field('beam size', beam), field('n-best', nbest), go));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const sentences = text.value.split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
    if (sentences.length === 0) return;
    const flags = strategy.value === 'greedy'
      ? { strategy: 'greedy' }
      : { strategy: 'beam', beamSize: Number(beam.value), nBest: Math.min(Number(nbest.value), Number(beam.value)) };
    go.disabled = true;
    try {
      const { results } = await api.translate(sentences, { ...flags, attention: model.hasAttention });
      clearError(root);
      out.replaceChildren(...results.map((r, i) => {
        const item = el('div', { class: 'result', tabindex: '0', 'data-index': String(i) },
          el('div', { class: 'source' }, r.source), el('div', { class: 'translation' }, r.translation), r.n_best.length > 1 ? nbestList(r) : '');
        item.addEventListener('click', () => showHeatmap(i));
        return item;
      }));
      const showHeatmap = (i: number) => {
        out.querySelectorAll('.result').forEach((e, j) => e.classList.toggle('selected', i === j));
        const r = results[i]!;
        if (!model.hasAttention || r.source_tokens === undefined || r.attention === undefined || r.tokens === undefined) return;
        heat.replaceChildren(el('h3', {}, 'Attention of ', el('q', {}, r.translation)),
          renderHeatmap({ source: r.source_tokens, target: r.tokens, weights: r.attention }));
      };
      showHeatmap(0);
    } catch (err) {
      showError(root, errorText(err));
    } finally {
      go.disabled = false;
    }
  });
  return el('section', {}, form, el('div', { class: model.hasAttention ? 'outputs' : 'outputs single' }, out, heat));
}

function samplePanel(root: HTMLElement, api: PageApi, model: WebModel): HTMLElement {
  const prefix = el('input', { id: 'prefix', type: 'text', placeholder: 'prefix', value: '' });
  const len = el('input', { id: 'len', type: 'number', min: '0', max: '10000', value: String(model.spec.decode.max_len) });
  const temp = el('input', { id: 'temperature', type: 'number', min: '0', step: '0.1', value: model.spec.decode.strategy === 'greedy' ? '0' : '1' });
  const seed = el('input', { id: 'seed', type: 'number', value: '0' });
  const go = el('button', { id: 'sample', type: 'submit' }, 'Sample');
  const out = el('pre', { id: 'results', class: 'sample' });
  const form = el('form', { class: 'panel' }, field('prefix', prefix),
    el('div', { class: 'row' }, field('length', len), field('temperature', temp), field('seed', seed), go));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    go.disabled = true;
    try {
      const r = await api.sample(prefix.value, { len: Number(len.value), temperature: Number(temp.value), seed: Number(seed.value) });
      clearError(root);
      out.replaceChildren(el('b', {}, r.prefix), r.continuation.length > 0 && r.prefix.length > 0 && !/^\s/.test(r.continuation) ? ' ' : '', r.continuation);
    } catch (err) {
      showError(root, errorText(err));
    } finally {
      go.disabled = false;
    }
  });
  return el('section', {}, form, out);
}

export async function renderPage(root: HTMLElement, api: PageApi, model: WebModel): Promise<void> {
  root.querySelector('#status')?.remove();
  const kind = model.spec.task === 'seq2seq' ? (model.hasAttention ? 'seq2seq with attention' : 'seq2seq') : 'language model';
  root.append(
    el('header', {}, el('h1', {}, model.spec.name), el('span', { class: 'kind' }, kind), await backendBar(root, api)),
    model.spec.task === 'seq2seq' ? translatePanel(root, api, model) : samplePanel(root, api, model),
  );
  root.dataset.ready = 'true';
}
