import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFindingsHtml } from '../src/outputs/html/index.js';
import { piecesText } from '../src/outputs/writePieces.js';
import { CHROMIUM_SKIP_NOTE, HAS_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { syntheticReport } from './helpers/manyFindings.js';

/**
 * A report cut by its size budget, in headless Chromium: the rows drawn only when scrolled near must
 * still be there to read and to reach, and both notices must be seen. A small budget stands for the
 * real one (30 MB takes a browser many seconds to open; the mechanism is the same).
 */
const COUNT = 6000;
const BUDGET = 3_000_000;

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-cut-'));
const reportFile = join(dir, 'report.html');
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  writeFileSync(reportFile, piecesText(renderFindingsHtml(syntheticReport(COUNT), { budgetBytes: BUDGET })));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)(
  `a report cut by its size budget, in headless Chromium${HAS_CHROMIUM ? '' : ` (${CHROMIUM_SKIP_NOTE})`}`,
  () => {
    it('says at the top how many findings it left out, and its link leads to where the rows stop', async () => {
      const top = page.locator('header .cut');
      expect(await top.isVisible()).toBe(true);
      const said = /([\d,]+) findings not shown/.exec((await top.textContent()) ?? '')?.[1];
      const listed = await page.locator('[data-finding-id]').count();
      expect(listed + Number(said?.replaceAll(',', ''))).toBe(COUNT);
      await top.locator('a').click();
      const stop = page.locator('#not-shown');
      await expect.poll(() => stop.isVisible()).toBe(true);
      expect((await stop.boundingBox())?.y).toBeLessThan(900);
      expect(await stop.textContent()).toContain(`${said} findings not shown`);
    });

    it('draws the rows of a table scrolled to, one line each, and the timeline', async () => {
      // as a link to #finding-… does: the browser lays out the table it lands in
      // more rows than one table holds, so the last is in a table not yet laid out
      expect(await page.locator('tr.finding-row').count()).toBeGreaterThan(1000);
      const row = page.locator('tr.finding-row').last();
      await row.evaluate((el) => el.scrollIntoView());
      const box = await row.boundingBox();
      // one line: the cells cut what does not fit (the JSON and CSV outputs have it whole)
      expect(box?.height).toBeGreaterThan(10);
      expect(box?.height).toBeLessThan(40);
      expect(await row.locator('.actor').isVisible()).toBe(true);
      await page.waitForSelector('#fh-timeline[data-rendered="true"] canvas', { timeout: 20_000 });
      expect(problems).toEqual([]);
    });
  },
);
