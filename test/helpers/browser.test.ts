/** The shared Chromium setup works: a data: page renders, and errors are recorded. */
import { expect, it } from 'vitest';
import { describeWithSystem, systemChromium } from './system.js';
import { launchChromium, openPage } from './browser.js';

describeWithSystem(systemChromium(), 'headless chromium', () => {
  it('opens a page, evaluates script and records a page error', async () => {
    const browser = await launchChromium();
    try {
      const html = '<title>t</title><p id=p>hi</p><script>setTimeout(() => { throw new Error("boom") }, 0)</script>';
      const { page, errors } = await openPage(browser, `data:text/html,${encodeURIComponent(html)}`);
      expect(await page.textContent('#p')).toBe('hi');
      await page.waitForTimeout(50);
      expect(errors.join('\n')).toMatch(/boom/);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
