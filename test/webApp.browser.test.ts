import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server/app.js';
import { PAGE_CSP } from '../src/server/webUi.js';
import { dispositionFilename } from '../web/jobActions.js';
import { parseRoute } from '../web/router.js';
import { SseParser } from '../web/sse.js';
import { CHROMIUM_SKIP_NOTE, HAS_CHROMIUM, launchChromium } from './helpers/chromium.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * The web page of `flowhawk serve` in a real browser: Debian's headless Chromium drives the page of a
 * real server on 127.0.0.1 (every other request is blocked) through upload, live progress, the
 * findings, a finding's detail, a report download, a re-run with an allowlist and delete; hostile file
 * names stay text; a server with a token asks for it. Needs /usr/bin/chromium (`apt-get install
 * chromium`; .ci/run installs it).
 */
const SKIP_NOTE = CHROMIUM_SKIP_NOTE;
if (!HAS_CHROMIUM) console.warn(`webApp.browser.test.ts ${SKIP_NOTE}`);

/** the examples' incident file: SSH guessing from 203.0.113.77, an SMB sweep from 10.48.20.15, … */
const EXAMPLE = resolve(
  'examples/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/11/00/123456789012_vpcflowlogs_us-east-1_fl-0c0ffee5ca1ab1e00_20240311T0005Z_5ca1ab1e.log.gz',
);
const HOSTILE = '<img src=x onerror=alert(1)>.log';
const T = 1_700_000_000;
const TOKEN = 'correct horse battery staple';

/** A vertical port scan from 203.0.113.9, gzipped (the server goes by the bytes, not the name). */
function portScanLog(): Buffer {
  const flows = new FlowBuilder().repeat(120, 0.5, T, (i, at) => ({
    client: '203.0.113.9',
    server: '10.0.1.10',
    port: i + 1,
    at,
    outcome: 'rejected',
  }));
  return gzipSync(flows.text());
}

/** A page with everything it does recorded: requests, blocked ones, dialogs, errors, CSP violations. */
interface Watched {
  context: BrowserContext;
  page: Page;
  blocked: string[];
  dialogs: string[];
  problems: string[];
  /** console errors the test expects (e.g. the 401 a token prompt starts with) */
  expected: RegExp[];
  cspViolations(): Promise<string[]>;
}

let browser: Browser | undefined;
let open: RunningServer;
let guarded: RunningServer;
const workspaces: string[] = [];

async function watch(base: string): Promise<Watched> {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const w: Watched = {
    context,
    page,
    blocked: [],
    dialogs: [],
    problems: [],
    expected: [],
    cspViolations: () =>
      page
        .evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? [])
        .catch(() => ['(page gone)']),
  };
  // injected by the browser before the page's own code, so it is not subject to the page's CSP
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  const origin = new URL(base).origin;
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('blob:') || url.startsWith('data:'))
      return route.continue();
    w.blocked.push(url);
    return route.abort();
  });
  page.on('dialog', (d) => {
    if (d.type() === 'confirm' && d.message().startsWith('Delete the job')) return void d.accept();
    w.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => w.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    const text = m.text();
    if (w.expected.some((re) => re.test(text))) return;
    w.problems.push(`console ${m.type()}: ${text}`);
  });
  return w;
}

/** What the page showed on the way: upload texts, job statuses and progress stages, in order. */
async function recordChanges(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __seen: string[] }).__seen = seen;
    const note = (s: string) => {
      if (seen[seen.length - 1] !== s) seen.push(s);
    };
    new MutationObserver(() => {
      const upload = document.getElementById('upload-progress-text')?.textContent;
      if (upload) note(`upload: ${upload}`);
      const status = document.getElementById('job-page')?.getAttribute('data-status');
      if (status) note(`status: ${status}`);
      const stage = document.getElementById('job-progress');
      if (stage) note(`stage: ${stage.getAttribute('data-stage')} ${stage.textContent}`);
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** Waits until the findings list is up to date and counts `total`. */
const findingsTotal = (page: Page, total: number) =>
  page.waitForSelector(`#findings-count[data-total="${total}"]:not([data-loading])`);

const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);

async function expectClean(w: Watched) {
  expect(w.problems).toEqual([]);
  expect(w.dialogs).toEqual([]);
  expect(w.blocked).toEqual([]);
  expect(await w.cspViolations()).toEqual([]);
}

beforeAll(async () => {
  const a = mkdtempSync(join(tmpdir(), 'flowhawk-web-'));
  const b = mkdtempSync(join(tmpdir(), 'flowhawk-web-token-'));
  workspaces.push(a, b);
  open = await startServer({ workspace: a, host: '127.0.0.1', port: 0 });
  guarded = await startServer({
    workspace: b,
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    maxUploadBytes: 4096,
  });
  if (!HAS_CHROMIUM) return;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await open?.close();
  await guarded?.close();
  for (const dir of workspaces) rmSync(dir, { recursive: true, force: true });
});

describe("the page's parsing, without a browser", () => {
  it('reads server-sent events split anywhere, with CRLF or LF, comments and multi-line data', () => {
    const text =
      ': keepalive\r\n\r\nevent: job\r\ndata: {"id":"a"}\r\n\r\nevent: progress\ndata: {"n":1}\n\n' +
      'data: one\ndata: two\nid: 7\n\nevent: cut';
    for (const size of [1, 2, 3, 5, 8, text.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events, `chunks of ${size}`).toEqual([
        { event: 'job', data: '{"id":"a"}', id: null },
        { event: 'progress', data: '{"n":1}', id: null },
        { event: 'message', data: 'one\ntwo', id: '7' },
      ]);
    }
  });

  it('takes the file name from Content-Disposition, filename* first', () => {
    expect(dispositionFilename('attachment; filename="flowhawk-abc.html"')).toBe('flowhawk-abc.html');
    expect(
      dispositionFilename('attachment; filename="x.json"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.json'),
    ).toBe('résumé.json');
    expect(dispositionFilename('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(dispositionFilename('attachment; filename="a \\"q\\".md"')).toBe('a "q".md');
    expect(dispositionFilename(null)).toBeNull();
    expect(dispositionFilename('inline')).toBeNull();
  });

  it('routes by the hash, decoding ids, and names anything else as missing', () => {
    expect(parseRoute('')).toEqual({ view: 'home' });
    expect(parseRoute('#/')).toEqual({ view: 'home' });
    expect(parseRoute('#/jobs/j%201')).toEqual({ view: 'job', id: 'j 1' });
    expect(parseRoute('#/jobs/j1/findings/f2')).toEqual({ view: 'finding', id: 'j1', findingId: 'f2' });
    expect(parseRoute('#/jobs/%E0%A4%A')).toEqual({ view: 'missing', hash: '#/jobs/%E0%A4%A' });
    expect(parseRoute('#/elsewhere')).toEqual({ view: 'missing', hash: '#/elsewhere' });
  });
});

describe('the page and its assets as served', () => {
  it('serves the page with a strict CSP and the bundle, styles and uPlot styles with their types', async () => {
    const page = await fetch(`${open.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe(PAGE_CSP);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/assets/app.js"></script>');
    // no inline script or style: the CSP would refuse them
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|style=/);
    for (const [path, type] of [
      ['/assets/app.js', /^text\/javascript/],
      ['/assets/app.css', /^text\/css/],
      ['/assets/uplot.css', /^text\/css/],
    ] as const) {
      const res = await fetch(`${open.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(type);
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect((await res.text()).length, path).toBeGreaterThan(500);
    }
    // the bundle holds the page's code and uPlot
    const js = await (await fetch(`${open.url}/assets/app.js`)).text();
    expect(js).toContain('/api/jobs');
    expect(js).toContain('u-legend');
  });
});

describe.skipIf(!HAS_CHROMIUM)(
  `the web page in headless Chromium${HAS_CHROMIUM ? '' : ` (${SKIP_NOTE})`}`,
  () => {
    let w: Watched;
    let jobUrl = '';

    beforeAll(async () => {
      w = await watch(open.url);
    });
    afterAll(async () => {
      await w?.context.close();
    });

    it('uploads a flow log, follows its progress and lists the findings when done', async () => {
      const { page } = w;
      await page.goto(`${open.url}/`);
      await page.waitForSelector('#upload');
      expect(await page.locator('#jobs-status').textContent()).toMatch(/No jobs yet|Loading/);
      await recordChanges(page);
      await page.setInputFiles('#file-input', EXAMPLE);
      expect(await page.locator('#picked-summary').textContent()).toBe('1 file(s), 7.2 kB in all.');
      await page.fill('#upload-name', 'incident sample');
      await page.click('#upload-button');
      await page.waitForURL(/#\/jobs\/[^/]+$/);
      jobUrl = page.url();
      await page.waitForSelector('#job-page[data-status="done"]', { timeout: 120_000 });
      const history = await seen(page);
      // the upload bar ran to the end, and the job was seen before it was done, with its stage
      expect(history.filter((s) => s.startsWith('upload: ')).at(-1)).toBe(
        'upload: Uploaded 1 file(s), 7.2 kB.',
      );
      expect(history.some((s) => s === 'status: queued' || s === 'status: running')).toBe(true);
      expect(history.some((s) => /^stage: (queued|ingest|analyse|save) /.test(s))).toBe(true);
      expect(history.at(-1)).toBe('status: done');

      expect(await page.locator('#job-name').textContent()).toContain('incident sample');
      expect(await page.locator('#job-files li .path').textContent()).toBe(
        '123456789012_vpcflowlogs_us-east-1_fl-0c0ffee5ca1ab1e00_20240311T0005Z_5ca1ab1e.log.gz',
      );

      // overview: severity counts, the timeline drawn by uPlot, top talkers
      expect(await page.locator('#severity-counts li[data-severity="high"] .count').textContent()).toBe('3');
      await page.waitForSelector('#timeline[data-rendered="true"] canvas');
      const box = await page.locator('#timeline canvas').first().boundingBox();
      expect(box?.width).toBeGreaterThan(300);
      expect(box?.height).toBeGreaterThan(100);
      expect(await page.locator('#top-talkers').textContent()).toContain('203.0.113.77');
      expect(await page.locator('#top-ports').textContent()).toContain('445/tcp');

      // the findings table, with the SSH guessing and the SMB sweep
      await findingsTotal(page, 8);
      const brute = page.locator('tr.finding-row[data-detector="bruteforce"]');
      expect(await brute.locator('td.actor').textContent()).toBe('203.0.113.77');
      expect(await brute.locator('td.target').textContent()).toBe('10.48.1.10');
      expect(await page.locator('tr.finding-row[data-detector="portsweep"] td.actor').textContent()).toBe(
        '10.48.20.15',
      );

      // filters: severities, detector, free text, actor
      await page.check('#findings-filters input[value="high"]');
      await findingsTotal(page, 3);
      expect(
        await page.locator('tr.finding-row').evaluateAll((rows) => rows.map((r) => r.dataset.severity)),
      ).toEqual(['high', 'high', 'high']);
      await page.uncheck('#findings-filters input[value="high"]');
      await page.waitForSelector('#filter-detector option[value="portscan"]', { state: 'attached' });
      await page.selectOption('#filter-detector', 'portsweep');
      await findingsTotal(page, 1);
      await page.selectOption('#filter-detector', '');
      await findingsTotal(page, 8);
      await page.fill('#filter-q', 'SSH');
      await findingsTotal(page, 1);
      expect(await page.locator('tr.finding-row').getAttribute('data-detector')).toBe('bruteforce');
      await page.fill('#filter-q', '');
      await page.fill('#filter-actor', '10.48.20.15');
      await findingsTotal(page, 3);
      await page.fill('#filter-actor', '');
      await findingsTotal(page, 8);
      await expectClean(w);
    });

    it("opens a finding's detail: explanation, facts, sub-scores, metrics and the evidence records", async () => {
      const { page } = w;
      await page.click('tr.finding-row[data-detector="bruteforce"] td.actor');
      await page.waitForURL(/#\/jobs\/[^/]+\/findings\/[^/]+$/);
      await page.waitForSelector('#finding-detail');
      expect(await page.locator('#finding-explanation').textContent()).toMatch(
        /^203\.0\.113\.77 made 45 short SSH \(TCP 22\) connections to 10\.48\.1\.10/,
      );
      const facts = await page.locator('#finding-detail dl.facts').textContent();
      expect(facts).toContain('T1110');
      expect(facts).toContain('2024-03-11T00:00:10Z');
      expect(facts).toContain('inbound');
      expect(await page.locator('#subscores tr').count()).toBeGreaterThan(0);
      expect(await page.locator('#metrics').textContent()).toContain('attempts');
      const rows = page.locator('#evidence-table tr.evidence-row');
      expect(await rows.count()).toBe(10);
      const first = await rows.first().locator('td').allTextContents();
      expect(await page.locator('#evidence-table td.file').first().textContent()).toMatch(
        /_5ca1ab1e\.log\.gz:\d+$/,
      );
      expect(first.join(' ')).toContain('203.0.113.77:');
      expect(first.join(' ')).toContain('10.48.1.10:22');
      // the back button returns to the job with its findings
      await page.goBack();
      await page.waitForURL(jobUrl);
      await page.waitForSelector('tr.finding-row[data-detector="bruteforce"]');
      await expectClean(w);
    });

    it("draws a scanner's port coverage in its detail, ticks placed on the log-scale strip", async () => {
      const { page } = w;
      await page.click('tr.finding-row[data-detector="portscan"] td.actor');
      await page.waitForSelector('#finding-detail [data-chart="port-coverage"]');
      const ticks = page.locator('[data-chart="port-coverage"] .port-tick');
      expect(await ticks.count()).toBeGreaterThan(0);
      const ports = await ticks.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-port'))));
      const left = await ticks.evaluateAll((els) =>
        els.map((e) => (e as HTMLElement).getBoundingClientRect().left),
      );
      // a higher port sits further right
      const order = ports.map((p, i) => [p, left[i] ?? 0] as const).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < order.length; i++)
        expect(order[i]?.[1]).toBeGreaterThanOrEqual(order[i - 1]?.[1] ?? 0);
      expect(await page.locator('[data-chart="port-coverage"] figcaption').textContent()).toMatch(
        /400 distinct ports touched/,
      );
      await page.goBack();
      await page.waitForURL(jobUrl);
      await expectClean(w);
    });

    it('downloads the HTML report and the JSON findings through the API with their file names', async () => {
      const { page } = w;
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#downloads button[data-format="html"]'),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.html$/);
      const html = readFileSync(await download.path(), 'utf8');
      expect(html).toContain('flowhawk report');
      expect(html).toContain('203.0.113.77');
      const [json] = await Promise.all([
        page.waitForEvent('download'),
        page.click('#downloads button[data-format="json"]'),
      ]);
      expect(json.suggestedFilename()).toMatch(/\.json$/);
      expect(readFileSync(await json.path(), 'utf8')).toContain('"bruteforce"');
      await page.waitForFunction(() =>
        document.getElementById('download-status')?.textContent?.startsWith('Downloaded'),
      );
      await expectClean(w);
    });

    it('re-runs with an allowlist: shows why a bad one is refused, then suppresses what a good one names', async () => {
      const { page } = w;
      // the server refuses an entry without a reason (400 {error, hint}); the page says so
      w.expected.push(/status of 400/);
      await page.click('#rerun summary');
      await page.fill('#rerun-allowlist', '[{"cidr": ["203.0.113.77/32"]}]');
      await page.click('#rerun-button');
      await page.waitForSelector('#rerun-error:not([hidden])');
      expect(await page.locator('#rerun-error').textContent()).toMatch(/reason/i);
      // not JSON at all: said before anything is sent
      await page.fill('#rerun-allowlist', '[{');
      await page.click('#rerun-button');
      await page.waitForFunction(() =>
        document.getElementById('rerun-error')?.textContent?.startsWith('The allowlist is not valid JSON'),
      );

      await recordChanges(page);
      await page.fill(
        '#rerun-allowlist',
        JSON.stringify([
          { reason: 'our red team', cidr: ['203.0.113.77/32'], role: 'actor', detector: ['bruteforce'] },
        ]),
      );
      await page.click('#rerun-button');
      await page.waitForFunction(
        () => {
          const s = (window as unknown as { __seen: string[] }).__seen;
          return (
            s.includes('status: done') && s.some((x) => x !== 'status: done' && x.startsWith('status: '))
          );
        },
        undefined,
        { timeout: 120_000 },
      );
      await findingsTotal(page, 7);
      expect(await page.locator('tr.finding-row[data-detector="bruteforce"]').count()).toBe(0);
      expect(await page.locator('#overview dl.facts').textContent()).toContain(
        '1 suppressed by the allowlist',
      );
      await page.check('#filter-suppressed');
      await findingsTotal(page, 8);
      expect(await page.locator('tr.finding-row.suppressed td.title').textContent()).toContain(
        'our red team',
      );
      // the re-run form now holds the allowlist the job used
      expect(JSON.parse(await page.locator('#rerun-allowlist').inputValue())).toEqual([
        { reason: 'our red team', cidr: ['203.0.113.77/32'], role: 'actor', detector: ['bruteforce'] },
      ]);
      await expectClean(w);
    });

    it('shows a hostile file name as text everywhere and never runs it', async () => {
      const { page } = w;
      await page.goto(`${open.url}/#/`);
      await page.waitForSelector('#upload');
      await page.setInputFiles('#file-input', {
        name: HOSTILE,
        mimeType: 'text/plain',
        buffer: portScanLog(),
      });
      expect(await page.locator('#picked-files .path').textContent()).toBe(HOSTILE);
      await page.click('#upload-button');
      await page.waitForURL(/#\/jobs\/[^/]+$/);
      await page.waitForSelector('#job-page[data-status="done"]', { timeout: 120_000 });
      expect(await page.locator('#job-name').textContent()).toContain(HOSTILE);
      expect(await page.locator('#job-files .path').textContent()).toBe(HOSTILE);
      await page.click('tr.finding-row[data-detector="portscan"] td.actor');
      await page.waitForSelector('#evidence-table');
      const file = await page.locator('#evidence-table td.file').first().textContent();
      expect(file?.startsWith(`${HOSTILE}:`)).toBe(true);
      expect(await page.locator('#finding-detail .actor').textContent()).toBe('203.0.113.9');
      // and in the jobs list
      await page.goto(`${open.url}/#/`);
      await page.waitForSelector(`#jobs-table tr.job-row td.name a:text-is("${HOSTILE}")`);
      expect(await page.locator('img, [onerror]').count()).toBe(0);
      expect(w.dialogs).toEqual([]);
      await expectClean(w);
    });

    it('takes a folder from the folder picker, sending each file under its path in the folder', async () => {
      const { page } = w;
      await page.goto(`${open.url}/#/`);
      await page.waitForSelector('#upload');
      await page.setInputFiles('#folder-input', resolve('examples'));
      const picked = await page.locator('#picked-files .path').allTextContents();
      expect(picked).toHaveLength(7);
      expect(picked.every((p) => p.startsWith('examples/AWSLogs/') && p.endsWith('.log.gz'))).toBe(true);
      await page.click('#upload-button');
      await page.waitForURL(/#\/jobs\/[^/]+$/);
      await page.waitForSelector('#job-files .path', { state: 'attached' });
      expect((await page.locator('#job-files .path').allTextContents()).sort()).toEqual([...picked].sort());
      await page.waitForSelector('#job-page[data-status="done"]', { timeout: 120_000 });
      // `flowhawk scan examples/` finds 9
      await findingsTotal(page, 9);
      await expectClean(w);
    });

    it('takes files dropped on the drop zone', async () => {
      const { page } = w;
      await page.goto(`${open.url}/#/`);
      await page.waitForSelector('#dropzone');
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['a'], 'dropped-a.log'));
        dt.items.add(new File(['bb'], 'dropped-b.log.gz'));
        const zone = document.getElementById('dropzone');
        zone?.dispatchEvent(
          new DragEvent('dragenter', { dataTransfer: dt, bubbles: true, cancelable: true }),
        );
        zone?.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await page.waitForFunction(() => document.querySelectorAll('#picked-files .path').length === 2);
      expect(await page.locator('#picked-files .path').allTextContents()).toEqual([
        'dropped-a.log',
        'dropped-b.log.gz',
      ]);
      expect(await page.locator('#dropzone.over').count()).toBe(0);
      await page.click('#clear-files');
      expect(await page.locator('#picked-summary').textContent()).toBe('No files chosen.');
      await expectClean(w);
    });

    it('deletes a job after asking', async () => {
      const { page } = w;
      await page.goto(jobUrl);
      await page.waitForSelector('#job-page[data-status="done"]');
      await page.click('#delete-job');
      await page.waitForURL(`${open.url}/#/`);
      await page.waitForSelector('#jobs-table tr.job-row');
      expect(await page.locator('#jobs-table tr.job-row').count()).toBe(2);
      expect(await page.locator('#jobs-table').textContent()).not.toContain('incident sample');
      await expectClean(w);
    });
  },
);

describe.skipIf(!HAS_CHROMIUM)(`a server with a token${HAS_CHROMIUM ? '' : ` (${SKIP_NOTE})`}`, () => {
  let w: Watched;
  beforeAll(async () => {
    w = await watch(guarded.url);
    // the page learns that a token is needed from the 401 answers
    w.expected.push(/status of 401/);
  });
  afterAll(async () => {
    await w?.context.close();
  });

  it('asks for the token, says when it is wrong, keeps the right one for the tab', async () => {
    const { page } = w;
    await page.goto(`${guarded.url}/`);
    await page.waitForSelector('#token-dialog[open]');
    expect(await page.locator('#token-message').textContent()).toContain('access token');
    await page.fill('#token-input', 'wrong');
    await page.click('#token-form button[type="submit"]');
    await page.waitForFunction(() =>
      document.getElementById('token-message')?.textContent?.includes('refused'),
    );
    expect(await page.locator('#token-dialog[open]').count()).toBe(1);
    await page.fill('#token-input', TOKEN);
    await page.click('#token-form button[type="submit"]');
    await page.waitForFunction(() =>
      document.getElementById('jobs-status')?.textContent?.startsWith('No jobs yet'),
    );
    expect(await page.locator('#token-dialog').count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('flowhawk.token'))).toBe(TOKEN);
    await page.reload();
    await page.waitForFunction(() =>
      document.getElementById('jobs-status')?.textContent?.startsWith('No jobs yet'),
    );
    expect(await page.locator('#token-dialog').count()).toBe(0);
    await expectClean(w);
  });

  it('uploads with the token, and refuses a file over the upload limit with a clear message', async () => {
    const { page } = w;
    await page.setInputFiles('#file-input', EXAMPLE);
    await page.click('#upload-button');
    await page.waitForSelector('#upload-error:not([hidden])');
    expect(await page.locator('#upload-error').textContent()).toContain("over this server's limit of 4 KiB");
    await page.click('#clear-files');
    const small = gzipSync(
      new FlowBuilder()
        .tcp({ client: '10.0.0.5', server: '10.0.0.6', port: 443, at: T, outcome: 'open' })
        .text(),
    );
    await page.setInputFiles('#file-input', {
      name: 'small.log.gz',
      mimeType: 'application/gzip',
      buffer: small,
    });
    await page.click('#upload-button');
    await page.waitForURL(/#\/jobs\/[^/]+$/);
    await page.waitForSelector('#job-page[data-status="done"]', { timeout: 120_000 });
    await page.waitForSelector('#findings-count[data-total]');
    await expectClean(w);
  });

  it("shows the server's own 413 when a file is over its cap", async () => {
    const { page } = w;
    // the page checks sizes against /api/info before sending; told a larger cap, it sends and the server refuses
    w.expected.push(/status of 413/);
    await page.route('**/api/info', async (route) => {
      const res = await route.fetch();
      await route.fulfill({ response: res, json: { ...(await res.json()), maxUploadBytes: 1e9 } });
    });
    await page.goto(`${guarded.url}/#/`);
    await page.reload();
    await page.waitForSelector('#upload');
    await page.setInputFiles('#file-input', EXAMPLE);
    await page.click('#upload-button');
    await page.waitForSelector('#upload-error:not([hidden])');
    const text = await page.locator('#upload-error').textContent();
    expect(text).toContain('5ca1ab1e.log.gz" is larger than the server\'s upload cap');
    expect(text).toContain('--max-upload-size');
    expect(page.url()).toBe(`${guarded.url}/#/`);
    await page.unroute('**/api/info');
    await page.click('#clear-files');
    await expectClean(w);
  });

  it('shows why a job failed', async () => {
    const { page } = w;
    await page.goto(`${guarded.url}/#/`);
    await page.setInputFiles('#file-input', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello\nnot a flow log\n'),
    });
    await page.click('#upload-button');
    await page.waitForSelector('#job-page[data-status="failed"]', { timeout: 120_000 });
    expect(await page.locator('#job-error').textContent()).toMatch(
      /notes\.txt.*not recognised as a flow log/,
    );
    expect(await page.locator('#downloads').count()).toBe(0);
    expect(await page.locator('#findings').count()).toBe(0);
    await page.goto(`${guarded.url}/#/`);
    await page.waitForSelector('#jobs-table tr.job-row[data-status="failed"] .error-text');
    await expectClean(w);
  });
});
