/**
 * Headless Chromium for page tests (web export, report): Debian's /usr/bin/chromium driven by
 * playwright-core (no browser download). Use inside describeWithSystem(systemChromium(), …).
 *
 *   const browser = await launchChromium();
 *   const page = await openPage(browser, 'http://127.0.0.1:PORT/');   // records errors and requests
 *   ...
 *   await browser.close();
 *
 * The flags keep Chromium off the network (this machine's is closed; background services would
 * otherwise fail to connect at every start) and let it run as root in a container.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from './system.js';

export const CHROMIUM_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: [...CHROMIUM_FLAGS, ...extraArgs], headless: true });
}

export interface WatchedPage {
  page: Page;
  /** Uncaught page errors and console.error messages, in order. */
  errors: string[];
  /** Every URL the page requested. */
  requests: string[];
}

/** A new page that records its errors and requests, navigated to `url`. */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, errors, requests };
}
