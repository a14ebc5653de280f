import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/app.js';
import { CHROMIUM_SKIP_NOTE, HAS_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { startS3, type TestS3, useTestS3Env } from './helpers/s3Server.js';

/**
 * The page's "Read from S3" in a real browser: a server allowed one bucket location makes a job of
 * it, the page follows it to its findings, and a finding's detail names its actor's owner (which
 * the API once dropped). The browser talks to the server only; the server's worker reads S3.
 */
if (!HAS_CHROMIUM) console.warn(`s3Page.browser.test.ts ${CHROMIUM_SKIP_NOTE}`);

let s3: TestS3;
let restoreEnv: () => void;
let server: RunningServer;
let browser: Browser | undefined;

beforeAll(async () => {
  s3 = await startS3();
  restoreEnv = useTestS3Env(s3.url);
  await s3.createBucket('examples-bucket');
  await s3.upload('examples-bucket', 'examples');
  const workspace = mkdtempSync(join(tmpdir(), 'flowhawk-web-s3-'));
  server = await startServer({ workspace, port: 0, s3Sources: ['s3://examples-bucket/AWSLogs/'] });
  if (HAS_CHROMIUM) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  restoreEnv?.();
  await s3?.close();
});

async function openPage(): Promise<{ page: Page; problems: string[] }> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems: string[] = [];
  const origin = new URL(server.url).origin;
  await context.route('**/*', (route) =>
    route.request().url().startsWith(`${origin}/`) ? route.continue() : route.abort(),
  );
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  return { page, problems };
}

describe.skipIf(!HAS_CHROMIUM)('the page: a job read from S3', () => {
  it('refuses a location outside the allowed one, then reads the allowed one to its findings', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${server.url}/`);
    await page.waitForSelector('#s3-panel');
    expect(await page.locator('#s3-url').inputValue()).toBe('s3://examples-bucket/AWSLogs/');
    expect(await page.locator('#s3-allowed').textContent()).toContain('s3://examples-bucket/AWSLogs/');

    await page.fill('#s3-url', 's3://someone-elses-bucket/');
    await page.click('#s3-button');
    await page.waitForSelector('#s3-error:not([hidden])');
    expect(await page.locator('#s3-error').textContent()).toContain('outside the S3 locations');
    problems.length = 0; // the 403 is logged by the browser as a failed request

    await page.fill('#s3-url', 's3://examples-bucket/AWSLogs/');
    await page.fill('#s3-since', '');
    await page.click('#s3-button');
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    await page.waitForSelector('#job-page[data-status="done"]', { timeout: 120_000 });
    expect(await page.locator('#job-name').textContent()).toContain('s3://examples-bucket/AWSLogs/');
    expect(await page.locator('.job-header dl.facts').textContent()).toContain(
      's3://examples-bucket/AWSLogs/ (objects written any time → now)',
    );
    await page.waitForSelector('#findings-count:not([data-loading])');
    await page.click('tr.finding-row[data-detector="probe"] td.actor');
    await page.waitForSelector('#finding-detail');
    const facts = await page.locator('#finding-detail dl.facts').textContent();
    expect(facts).toContain("actor's owner");
    expect(facts).toContain('AS208677');
    expect(await page.locator('#evidence-table td.file').first().textContent()).toContain(
      's3://examples-bucket/AWSLogs/',
    );
    expect(problems).toEqual([]);
  }, 180_000);
});
