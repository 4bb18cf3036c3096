/**
 * The exported page in real headless Chromium (Debian's, via playwright-core): for a GRU, an LSTM
 * and an attention model trained here for one epoch, `window.seqloom.translate` returns exactly
 * `seqloom translate --json`'s JSON for the same checkpoint (spec defaults, greedy, beam 3 with
 * 3-best; with --attention, the tokens and weights too), and `sample` `seqloom sample --json`'s; the attention page shows a heatmap (screenshot in test-output/web/); a corrupt or
 * mismatched model.safetensors gives a message on the page. Prints the figures: time from page
 * load to the first translation, translations per second, and the site's size apart from weights.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, openPage } from '../helpers/browser.js';
import { serveFolder, type StaticServer } from '../helpers/static-server.js';
import { describeWithSystem, systemChromium } from '../helpers/system.js';
import { BIN, REPO, makeTemp, removeTemp, tinyLmSpec } from '../reliability/helpers.js';

const run = promisify(execFile);
const SENTENCES = ['twenty one', 'four thousand three hundred twelve', 'ninety nine', 'seven hundred', 'one thousand one hundred forty eight', 'Eleven', 'zwölf'];
const SHOTS = path.join(REPO, 'test-output', 'web');

/**
 * The CLI on the page's product library: a browser has no system BLAS, so its products run on
 * XNNPACK; the CLI's on OpenBLAS round differently in the last bits (scores then differ ~1e-7).
 */
async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    cwd: REPO, env: { ...process.env, SEQLOOM_BACKEND: 'wasm', SEQLOOM_BLAS: 'off', SEQLOOM_DEBUG: '' }, maxBuffer: 1 << 26,
  });
  return stdout;
}

function numbersSpec(name: string, graph: (text: string) => string): string {
  const base = fs.readFileSync(path.join(REPO, 'models', 'numbers-gru.yaml'), 'utf8')
    .replace('name: numbers-gru', `name: ${name}`)
    .replace(/^data:.*$/m, (line) => `${line}\n  limit: 320`);
  return graph(base);
}

const ATTENTION_GRAPH = `graph:
  src_emb: { op: embedding, input: source, dim: 32 }
  encoder: { op: recurrent, cell: gru, input: src_emb, hidden: 32, layers: 2 }
  tgt_emb: { op: embedding, input: target, dim: 32 }
  attn: { op: attention, kind: additive, query: decoder.prev, keys: encoder, values: encoder, mask: source, hidden: 32 }
  dec_in: { op: concat, inputs: [attn, tgt_emb] }
  decoder: { op: recurrent, cell: gru, input: dec_in, hidden: 32, layers: 2, init: encoder.state }
  logits: { op: dense, input: decoder, units: target.vocab }
output: logits`;

const MODELS = {
  gru: numbersSpec('numbers-gru', (t) => t),
  lstm: numbersSpec('numbers-lstm', (t) => t.replace('cell: &cell gru', 'cell: &cell lstm')),
  attention: numbersSpec('numbers-attention', (t) => t.replace(/^graph:[\s\S]*?^output: logits.*$/m, ATTENTION_GRAPH)),
  lm: tinyLmSpec(),
};
type ModelName = keyof typeof MODELS;

describeWithSystem(systemChromium(), 'exported web page in Chromium', () => {
  let tmp = '';
  let browser: Browser;
  const servers: StaticServer[] = [];
  const site = (m: ModelName) => path.join(tmp, `site-${m}`);
  const ckpt = (m: ModelName) => path.join(tmp, `ckpt-${m}`);

  beforeAll(async () => {
    tmp = makeTemp('web-page');
    const names = Object.keys(MODELS) as ModelName[];
    await Promise.all(names.map(async (m) => {
      const spec = path.join(tmp, `${m}.yaml`);
      fs.writeFileSync(spec, MODELS[m]);
      // One epoch is enough for page-vs-CLI equality; the attention model gets a few, so the
      // screenshot's heatmap shows some alignment.
      await cli(['train', spec, '--epochs', m === 'attention' ? '8' : '1', '--out', ckpt(m), '--quiet', '--show', '0']);
      await cli(['export', ckpt(m), '--web', site(m)]);
    }));
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
    removeTemp(tmp);
  });

  async function open(dir: string) {
    const server = await serveFolder(dir);
    servers.push(server);
    return openPage(browser, server.url);
  }

  const DEFAULTS: [string[], Record<string, unknown>] = [[], {}];
  const GREEDY: [string[], Record<string, unknown>] = [['--strategy', 'greedy'], { strategy: 'greedy' }];
  const BEAM3: [string[], Record<string, unknown>] = [['--beam', '3', '--n-best', '3'], { beam: 3, nBest: 3 }];
  const ATTENTION: [string[], Record<string, unknown>] = [['--beam', '3', '--n-best', '3', '--attention'], { beam: 3, nBest: 3, attention: true }];
  it.each([
    ['gru', [DEFAULTS, BEAM3]], ['lstm', [GREEDY]], ['attention', [ATTENTION]],
  ] as [ModelName, [string[], Record<string, unknown>][]][])('%s: the page translates exactly as `seqloom translate --json`', async (m, flagSets) => {
    const { page, errors } = await open(site(m));
    const expectedAll = Promise.all(flagSets.map(async ([flags]) => JSON.parse(await cli(['translate', ckpt(m), ...SENTENCES, '--json', ...flags])) as unknown));
    await page.evaluate(() => (window as unknown as { seqloom: { ready: Promise<void> } }).seqloom.ready);
    for (const [i, [flags, opts]] of flagSets.entries()) {
      const expected = (await expectedAll)[i];
      const got = await page.evaluate(([s, o]) => (window as unknown as { seqloom: { translate(s: string[], o: unknown): Promise<unknown> } })
        .seqloom.translate(s as string[], o), [SENTENCES, opts] as const);
      expect(got, `flags ${flags.join(' ')}`).toEqual(expected);
    }
    expect(await page.textContent('#backend-label')).toMatch(/^wasm \(SIMD\)$/);
    if (m === 'gru') {
      // The switch: cpu runs too; WebGL runs where the browser has it, else says so (headless: no GPU).
      const switched = await page.evaluate(async (s) => {
        const api = (window as unknown as { seqloom: { setBackend(b: string): Promise<string>; backend(): string; translate(x: string[]): Promise<{ results: unknown[] }> } }).seqloom;
        const cpu = await api.setBackend('cpu');
        const results = (await api.translate(s)).results.length;
        const webgl = await api.setBackend('webgl').catch((e: Error) => e.message);
        const back = await api.setBackend('wasm');
        return { cpu, results, webgl, back };
      }, SENTENCES);
      expect(switched).toMatchObject({ cpu: 'cpu', results: SENTENCES.length, back: 'wasm' });
      expect(switched.webgl).toMatch(/^webgl$|^WebGL is not available in this browser$/);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('language model: the page samples exactly as `seqloom sample --json` (argmax, and seeded draws)', async () => {
    const { page, errors } = await open(site('lm'));
    const runs: [string[], Record<string, unknown>][] = [[['--temperature', '0'], { temperature: 0 }], [['--temperature', '1', '--seed', '7', '--len', '30'], { temperature: 1, seed: 7, len: 30 }]];
    const expected = await Promise.all(runs.map(async ([flags]) => JSON.parse(await cli(['sample', ckpt('lm'), '--prefix', 'one hundred', '--json', ...flags])) as unknown));
    for (const [i, [, opts]] of runs.entries()) {
      const got = await page.evaluate(([o]) => (window as unknown as { seqloom: { sample(p: string, o: unknown): Promise<unknown> } })
        .seqloom.sample('one hundred', o), [opts] as const);
      expect(got).toEqual(expected[i]);
    }
    await page.fill('#prefix', 'one hundred');
    await page.click('#sample');
    await page.waitForSelector('#results b');
    expect(await page.textContent('#results')).toMatch(/^one hundred/);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('numbers-gru: figures (load → first translation, translations per second, site size apart from weights)', async () => {
    const { page } = await open(site('gru'));
    const { firstMs, timings } = await page.evaluate(async () => {
      const s = (window as unknown as { seqloom: { ready: Promise<void>; translate(x: string[]): Promise<unknown>; timings: unknown } }).seqloom;
      await s.ready;
      await s.translate(['four thousand three hundred twelve']);
      return { firstMs: performance.now(), timings: s.timings }; // from the start of navigation
    });
    const rate = await page.evaluate(async (sentences) => {
      const s = (window as unknown as { seqloom: { translate(x: string[], o?: unknown): Promise<unknown> } }).seqloom;
      const batch = Array.from({ length: 64 }, (_, i) => sentences[i % sentences.length]!);
      const time = async (o: unknown, one: boolean) => {
        const t0 = performance.now();
        if (one) for (const x of batch.slice(0, 16)) await s.translate([x], o);
        else await s.translate(batch, o);
        return (one ? 16 : 64) / ((performance.now() - t0) / 1000);
      };
      return { batched: await time({}, false), oneByOne: await time({}, true), greedyBatched: await time({ strategy: 'greedy' }, false) };
    }, SENTENCES.slice(0, 5));
    const files = fs.readdirSync(site('gru')).filter((f) => f !== 'model.safetensors');
    const assetBytes = files.reduce((a, f) => a + fs.statSync(path.join(site('gru'), f)).size, 0);
    const weights = fs.statSync(path.join(site('gru'), 'model.safetensors')).size;
    console.log(`web figures (numbers-gru, headless Chromium, wasm SIMD): first translation ${Math.round(firstMs)} ms after navigation start `
      + `(steps, ms: ${JSON.stringify(timings)}); `
      + `${rate.batched.toFixed(0)} translations/s batched (64, beam 2), ${rate.greedyBatched.toFixed(0)}/s greedy batched, `
      + `${rate.oneByOne.toFixed(1)}/s one call each (beam 2); site ${(assetBytes / 2 ** 20).toFixed(2)} MiB apart from ${(weights / 2 ** 10).toFixed(0)} KiB of weights`);
    expect(assetBytes).toBeLessThan(5 * 2 ** 20);
    expect(firstMs).toBeGreaterThan(0);
    await page.close();
  }, 120_000);

  it('attention: the page shows the heatmap of the translation shown (screenshot saved)', async () => {
    const { page, errors } = await open(site('attention'));
    await page.waitForSelector('#app[data-ready="true"]');
    await page.fill('#input', 'four thousand three hundred twelve\nninety nine');
    await page.click('#translate');
    await page.waitForSelector('table.heatmap td');
    const rows = await page.$$eval('table.heatmap tbody tr', (trs) => trs.length);
    const cols = await page.$$eval('table.heatmap thead th.src', (ths) => ths.map((t) => t.textContent));
    expect(rows).toBeGreaterThan(0);
    expect(cols.at(-1)).toBe('<eos>');
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, 'attention-page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('a corrupt or mismatched model.safetensors gives a message on the page, not a blank page', async () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      ['truncated', (dir) => fs.truncateSync(path.join(dir, 'model.safetensors'), 100), /model\.safetensors: .*(truncated|larger than the file|out of bounds)/],
      ['another spec', (dir) => fs.copyFileSync(path.join(ckpt('lstm'), 'model.safetensors'), path.join(dir, 'model.safetensors')), /model\.safetensors: was saved for a different spec/],
      ['missing', (dir) => fs.rmSync(path.join(dir, 'vocab.json')), /vocab\.json: cannot load \(HTTP 404/],
    ];
    for (const [what, damage, message] of cases) {
      const dir = path.join(tmp, `broken-${what.replace(/ /g, '-')}`);
      fs.cpSync(site('gru'), dir, { recursive: true });
      damage(dir);
      const { page } = await open(dir);
      await page.waitForSelector('#app[data-ready="error"]');
      expect(await page.textContent('#error'), what).toMatch(message);
      const rejected = await page.evaluate(() => (window as unknown as { seqloom: { ready: Promise<void> } }).seqloom.ready.then(() => '', (e: Error) => e.message));
      expect(rejected, what).toMatch(message);
      await page.close();
    }
  }, 120_000);
});
