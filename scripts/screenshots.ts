/**
 * The README's screenshots, made from the sample data: scans examples/, renders the HTML report and
 * the terminal summary (the `table` output in a plain dark page), and photographs both with Debian's
 * Chromium (`apt-get install chromium`); then starts `flowhawk serve` on a temporary workspace, uploads
 * examples/ through the web page's folder picker and photographs the job and one finding. Run by hand,
 * not part of `npm test`:
 *
 *   node --import tsx scripts/screenshots.ts
 *
 * Writes docs/images/report.png, terminal.png, web-jobs.png and web-finding.png.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { escapeHtml } from '../src/outputs/html/escape.js';
import { startServer } from '../src/server/app.js';
import { CHROMIUM, HAS_CHROMIUM, launchChromium } from '../test/helpers/chromium.js';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'docs', 'images');

function flowhawk(...args: string[]): string {
  const run = spawnSync('node', ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', COLUMNS: '150' },
  });
  if (run.status !== 0) throw new Error(`flowhawk ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return run.stdout;
}

/** The web page of `flowhawk serve`: examples/ uploaded as a folder, the job when done, one finding. */
async function webShots(browser: Browser, workspace: string) {
  const server = await startServer({ workspace, port: 0 });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // only the server itself
    await page.route('**/*', (r) =>
      r.request().url().startsWith(`${server.url}/`) ? r.continue() : r.abort(),
    );
    await page.goto(`${server.url}/`);
    await page.setInputFiles('#folder-input', join(root, 'examples'));
    await page.fill('#upload-name', 'examples/ (a sample S3 download)');
    await page.click('#upload-button');
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    await page.waitForSelector('#job-page[data-status="done"]', { timeout: 120_000 });
    await page.waitForSelector('#timeline[data-rendered="true"] canvas');
    await page.waitForSelector('#findings-count[data-total]:not([data-loading])');
    await page.screenshot({ path: join(out, 'web-jobs.png'), fullPage: true });
    await page.click('tr.finding-row[data-detector="bruteforce"] td.actor');
    await page.waitForSelector('#evidence-table');
    await page.screenshot({ path: join(out, 'web-finding.png'), fullPage: true });
  } finally {
    await server.close();
  }
}

async function main() {
  if (!HAS_CHROMIUM) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const dir = mkdtempSync(join(tmpdir(), 'flowhawk-screenshots-'));
  try {
    const report = join(dir, 'report.html');
    flowhawk('scan', 'examples/', '--quiet', '--format', 'html', '--output', report);
    const table = flowhawk('scan', 'examples/', '--quiet');
    const terminal = join(dir, 'terminal.html');
    writeFileSync(
      terminal,
      `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #0d1117; }
pre { margin: 0; padding: 20px 24px; color: #e6edf3; font: 13px/1.4 "DejaVu Sans Mono", ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.prompt { color: #7ee787; }
</style></head><body><pre><span class="prompt">$ flowhawk scan examples/</span>\n${escapeHtml(table)}</pre></body></html>`,
    );
    mkdirSync(out, { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      // offline, like the report itself: only the files on disk load
      await page.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
      await page.goto(pathToFileURL(report).href);
      await page.waitForSelector('#fh-timeline[data-rendered="true"] canvas');
      // the evidence tables are long; the picture is of the overview, the charts and the cards
      await page.evaluate(() => {
        for (const d of document.querySelectorAll('details.evidence-block')) d.removeAttribute('open');
      });
      await page.screenshot({ path: join(out, 'report.png'), fullPage: true });
      if (process.env.SHOTS_DEBUG)
        for (const [i, y] of [0, 1800, 3600, 5400].entries())
          await page.screenshot({
            path: join(process.env.SHOTS_DEBUG, `report-${i}.png`),
            fullPage: true,
            clip: { x: 0, y, width: 1280, height: 1800 },
          });
      await page.goto(pathToFileURL(terminal).href);
      await page.screenshot({ path: join(out, 'terminal.png'), fullPage: true });
      await webShots(browser, join(dir, 'workspace'));
    } finally {
      await browser.close();
    }
    for (const name of ['report.png', 'terminal.png', 'web-jobs.png', 'web-finding.png']) {
      const bytes = statSync(join(out, name)).size;
      process.stderr.write(`wrote docs/images/${name} (${Math.round(bytes / 1024)} KiB)\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
