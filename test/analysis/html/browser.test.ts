/**
 * The HTML report in a real browser (headless Chromium from Debian's package, driven by
 * playwright-core): `sgsim run --html` on seed scenario 4, loaded from a file with the network
 * cut off; the table lists every flow, a filter hides the others, a click opens a flow's
 * details (explanation and trace events), and the page is fully drawn (screenshot; with SGSIM_SCREENSHOT=<file> it is kept).
 * Skips, saying why, only when /usr/bin/chromium is absent (`.ci/run` installs it).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';

const CHROMIUM = '/usr/bin/chromium';
const root = join(import.meta.dirname, '..', '..', '..');
const scenario4 = join(root, 'scenarios', '04-group-added-to-itself.yaml');
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping the HTML report's browser test: ${CHROMIUM} is absent (apt-get install chromium; .ci/run does)`);

describe.skipIf(!hasChromium)('the HTML report in headless Chromium', () => {
  it('lists the flows, filters them, opens a flow on click, and draws the diagram, with no network', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sgsim-html-')), 'report.html');
    const code = await main(['run', scenario4, '--html', file], { stdout: () => {}, stderr: () => {}, color: false, cwd: root });
    expect(code).toBe(0);

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith('file:')) return route.continue();
        requests.push(url);
        return route.abort();
      });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(file).href);

      const rows = page.locator('tr.flow');
      expect(await rows.count()).toBe(8);
      expect(await page.locator('figure.diagram svg g.node').count()).toBeGreaterThanOrEqual(5);
      expect(await page.locator('.count').textContent()).toBe('8 of 8 flows');

      await page.selectOption('select[name=outcome]', 'timeout');
      expect(await page.locator('tr.flow:visible').count()).toBe(3);
      expect(await page.locator('.count').textContent()).toBe('3 of 8 flows');
      await page.fill('input[name=host]', 'stranger');
      expect(await page.locator('tr.flow:visible').count()).toBe(1);
      await page.fill('input[name=host]', '');
      await page.selectOption('select[name=outcome]', '');
      await page.fill('input[name=port]', '3306');
      expect(await page.locator('tr.flow:visible').count()).toBe(3);
      await page.fill('input[name=port]', '');
      await page.selectOption('select[name=code]', 'SG_REFERENCES_NOT_PRESERVED');
      const visible = page.locator('tr.flow:visible');
      expect(await visible.count()).toBe(1);

      const details = page.locator('tr.details:visible');
      expect(await details.count()).toBe(0);
      await visible.first().click();
      expect(await details.count()).toBe(1);
      const text = (await details.first().textContent()) ?? '';
      expect(text).toContain('SG_REFERENCES_NOT_PRESERVED');
      expect(text).toContain('from web2 to web1.public port 3306');
      // Its trace events: the SYN sent from web2's public address, dropped at web1.
      expect(await details.first().locator('ol.trace li').count()).toBeGreaterThan(1);
      expect(text).toMatch(/send web2 [\d.]+:\d+ → [\d.]+:3306 proto=tcp flags=SYN path=public/);
      expect(text).toContain('code=SG_REFERENCES_NOT_PRESERVED');
      await visible.first().click();
      expect(await details.count()).toBe(0);

      await page.selectOption('select[name=code]', '');
      await page.locator('tr.flow').nth(5).click();
      const shot = await page.screenshot({ fullPage: true, ...(process.env.SGSIM_SCREENSHOT ? { path: process.env.SGSIM_SCREENSHOT } : {}) });
      expect(shot.length).toBeGreaterThan(10_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
