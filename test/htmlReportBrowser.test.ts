import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_SKIP_NOTE, HAS_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { flowhawk } from './helpers/cli.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * The HTML report in a real browser: Debian's headless Chromium opens the file from disk with every
 * non-file request blocked, and the charts must draw while hostile values from the logs stay text.
 * Needs /usr/bin/chromium (`apt-get install chromium`; .ci/run installs it).
 */
const SKIP_NOTE = CHROMIUM_SKIP_NOTE;
if (!HAS_CHROMIUM) console.warn(`htmlReportBrowser.test.ts ${SKIP_NOTE}`);

const T = 1_700_000_000;
/** shown in every evidence record of the port scan, through its interface id */
const SCRIPT = '<script>alert(1)</script>';
/** shown in every evidence record's file:line (a file name cannot hold a '/') */
const IMG = '"><img src=x onerror=alert(1)>';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-browser-'));
const logs = join(dir, `${IMG}.log`);
const reportFile = join(dir, 'report.html');

let browser: Browser | undefined;
let page: Page;
const requests: string[] = [];
const blocked: string[] = [];
const dialogs: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  if (!HAS_CHROMIUM) return;
  const flows = new FlowBuilder()
    // a vertical port scan, rejected, logged on an interface with a hostile id
    .repeat(120, 0.5, T, (i, at) => ({
      client: '203.0.113.9',
      server: '10.0.1.10',
      port: i + 1,
      at,
      outcome: 'rejected',
      serverInterface: SCRIPT,
    }));
  // an implant calling home every 60 s ± 10% for four hours
  let at = T;
  for (let i = 0; i < 240; i++) {
    flows.tcp({
      client: '10.0.1.20',
      server: '198.51.100.7',
      port: 8001,
      at,
      outPackets: 6,
      outBytes: 620 + (i % 4) * 8,
      inPackets: 5,
      inBytes: 1840 + (i % 3) * 16,
    });
    at += 60 * (0.9 + 0.2 * ((i * 0.618_034) % 1));
  }
  writeFileSync(logs, flows.text());
  const scan = flowhawk('scan', logs, '--quiet', '--format', 'html', '--output', reportFile);
  expect(scan.stderr).toBe('');
  expect(scan.code).toBe(0);

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  await page.route('**/*', (r) => {
    const url = r.request().url();
    if (url.startsWith('file:')) return r.continue();
    blocked.push(url);
    return r.abort();
  });
  await page.goto(pathToFileURL(reportFile).href, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!HAS_CHROMIUM)(
  `the HTML report in headless Chromium${HAS_CHROMIUM ? '' : ` (${SKIP_NOTE})`}`,
  () => {
    it('draws the timeline with uPlot: a canvas of nonzero size', async () => {
      await page.waitForSelector('#fh-timeline[data-rendered="true"] canvas', { timeout: 20_000 });
      const box = await page.locator('#fh-timeline canvas').first().boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(100);
      // the legend names the severities the findings have
      expect(await page.locator('#fh-timeline .u-legend').textContent()).toContain('findings');
    });

    it('shows the beacon interval histogram and the port scan coverage, drawn', async () => {
      const beacon = page.locator('article[data-finding-id] figure[data-chart="interval-histogram"]');
      expect(await beacon.count()).toBe(1);
      expect(await beacon.locator('xpath=ancestor::article').locator('.detector').textContent()).toBe(
        'beacon',
      );
      const histBox = await beacon.locator('svg').boundingBox();
      expect(histBox?.width).toBeGreaterThan(200);
      expect(histBox?.height).toBeGreaterThan(50);
      // the tallest bar really has height on screen (the page's CSS must not override SVG geometry)
      const tallest = await beacon
        .locator('rect.count-bar')
        .evaluateAll((rects) => Math.max(...rects.map((r) => r.getBoundingClientRect().height)));
      expect(tallest).toBeGreaterThan(50);

      const ports = page.locator('article[data-finding-id] figure[data-chart="port-coverage"]');
      expect(await ports.count()).toBeGreaterThanOrEqual(1);
      const scan = page.locator(
        'article:has(.detector:text-is("portscan")) figure[data-chart="port-coverage"]',
      );
      expect(await scan.getAttribute('data-total')).toBe('120');
      const ticks = await scan
        .locator('line.port')
        .evaluateAll((lines) => lines.map((l) => l.getBoundingClientRect().x));
      expect(ticks.length).toBeGreaterThanOrEqual(5);
      expect(new Set(ticks).size).toBe(ticks.length);
      const stripBox = await scan.locator('svg').boundingBox();
      expect(stripBox?.width).toBeGreaterThan(200);
    });

    it('shows hostile values as text and never runs them', async () => {
      const cell = page.locator('tr.evidence-row td', { hasText: SCRIPT }).first();
      expect(await cell.isVisible()).toBe(true);
      expect(await cell.textContent()).toBe(SCRIPT);
      const file = page.locator('tr.evidence-row td.file', { hasText: IMG }).first();
      expect(await file.isVisible()).toBe(true);
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees
      expect(await page.locator('body').innerText()).toContain(SCRIPT);
      // only the three scripts the page ships (data block, uPlot, its own), no image from the file name
      expect(await page.locator('script').count()).toBe(3);
      expect(await page.locator('img, [onerror]').count()).toBe(0);
      expect(dialogs).toEqual([]);
    });

    it('makes no request but for the file itself, and the CSP lets its own scripts run', () => {
      expect(blocked).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(requests).toEqual([pathToFileURL(reportFile).href]);
      expect(problems).toEqual([]);
    });
  },
);
