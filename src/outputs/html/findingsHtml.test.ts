import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import type { EvidenceRecord, Finding } from '../../finding.js';
import type { Analysis, ScanReport, TrafficOverview } from '../../report.js';
import { piecesText } from '../writePieces.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { renderFindingsHtml } from './index.js';

const T = 1_700_000_000;
/** traffic buckets start on a multiple of their size, as the store's are */
const T0 = Math.floor(T / 60) * 60;
const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';

const record = (over: Partial<EvidenceRecord> = {}): EvidenceRecord => ({
  accountId: '123456789012',
  region: 'us-east-1',
  file: 'logs/flows.log',
  line: 2,
  start: T,
  end: T + 60,
  srcAddr: '203.0.113.9',
  srcPort: 40000,
  dstAddr: '10.0.1.10',
  dstPort: 22,
  protocol: 6,
  packets: 3,
  bytes: 180,
  action: 'REJECT',
  tcpFlags: 2,
  interfaceId: 'eni-0abc',
  flowDirection: null,
  logStatus: null,
  ...over,
});

const finding = (over: Partial<Finding>): Finding => ({
  id: '0123456789abcdef',
  detector: 'portscan',
  title: 'Vertical port scan',
  severity: 'medium',
  confidence: 0.9,
  actor: '203.0.113.9',
  target: '10.0.1.10',
  targetCount: 1,
  direction: 'inbound',
  attack: ['T1046'],
  firstSeen: T,
  lastSeen: T + 600,
  count: 120,
  explanation: '120 distinct ports on 10.0.1.10 within 10m (threshold 20)',
  subScores: { breadth: 0.5, rejectedShare: 1 },
  metrics: { ports: 120 },
  limitations: [],
  evidence: [record(), record({ line: 3, dstPort: 23 })],
  ...over,
});

const FINDINGS: Finding[] = [
  finding({
    id: 'aaaaaaaaaaaaaaaa',
    severity: 'high',
    detector: 'exposure',
    actor: SCRIPT,
    target: null,
    targetCount: 4,
    explanation: `exposed ${SCRIPT} service`,
    metrics: { cluster: SCRIPT, ports: 3 },
    limitations: [`no tcp_flags in the logs: ${SCRIPT}`],
    evidence: [record({ file: `${IMG}.log`, line: 7, interfaceId: SCRIPT })],
  }),
  finding({ id: 'bbbbbbbbbbbbbbbb' }),
  finding({
    id: 'cccccccccccccccc',
    severity: 'low',
    actor: '10.9.0.5',
    firstSeen: T + 3600,
    lastSeen: T + 7200,
  }),
  finding({
    id: 'dddddddddddddddd',
    actor: '192.0.2.1',
    suppressed: { reason: `scanner ${IMG}`, rule: 0 },
  }),
];

function report(showSuppressed = false, findings = FINDINGS): ScanReport {
  const analysis: Analysis = {
    findings,
    detectors: [
      { id: 'beacon', candidates: 0, findings: 0, suppressed: 0, elapsedMs: 1, skipped: 'disabled' },
    ],
    connections: 321,
    threatLists: [],
    elapsedMs: 5,
  };
  return { version: '0.1.0', generatedAt: '2024-01-01T00:00:00.000Z', analysis, showSuppressed };
}

const traffic: TrafficOverview = {
  records: 4242,
  start: T0 - 120,
  end: T + 7300,
  interfaces: 3,
  bucketSeconds: 60,
  buckets: [
    { t: T0 - 120, records: 10, bytes: 1000 },
    { t: T0, records: 4000, bytes: 9000 },
  ],
};

function parse(text: string) {
  return parseHTML(text).document;
}

describe('renderFindingsHtml', () => {
  const text = piecesText(renderFindingsHtml({ ...report(), traffic }));
  const doc = parse(text);

  it('holds every unsuppressed finding, with its actor, explanation and evidence rows', () => {
    const articles = [...doc.querySelectorAll('article.finding')];
    expect(articles.map((a) => a.getAttribute('data-finding-id'))).toEqual([
      'aaaaaaaaaaaaaaaa',
      'bbbbbbbbbbbbbbbb',
      'cccccccccccccccc',
    ]);
    const first = doc.getElementById('finding-aaaaaaaaaaaaaaaa');
    expect(first?.querySelector('.actor')?.textContent).toBe(SCRIPT);
    expect(first?.querySelector('.explanation')?.textContent).toBe(`exposed ${SCRIPT} service`);
    expect(first?.querySelector('.evidence-row .file')?.textContent).toBe(`${IMG}.log:7`);
    expect(first?.textContent).toContain('limited: no tcp_flags in the logs');
    const second = doc.getElementById('finding-bbbbbbbbbbbbbbbb');
    const rows = [...(second?.querySelectorAll('tr.evidence-row') ?? [])].map((r) =>
      [...r.querySelectorAll('td')].map((td) => td.textContent),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual(
      expect.arrayContaining(['logs/flows.log:2', '203.0.113.9:40000', '10.0.1.10:22', 'TCP', '180']),
    );
    expect(second?.textContent).toContain('breadth');
    expect(second?.textContent).toContain('rejectedShare');
  });

  it('counts findings by severity and shows the workspace facts', () => {
    const counts = Object.fromEntries(
      [...doc.querySelectorAll('.severity-counts li')].map((li) => [
        li.getAttribute('data-severity'),
        Number(li.querySelector('.count')?.textContent),
      ]),
    );
    expect(counts).toEqual({ critical: 0, high: 1, medium: 1, low: 1, info: 0 });
    const overview = doc.getElementById('overview')?.textContent ?? '';
    expect(overview).toContain('4,242');
    expect(overview).toContain('321');
    expect(overview).toContain('1 suppressed');
    expect(overview).toContain('beacon');
  });

  it('lists top actors and destination ports', () => {
    const top = doc.getElementById('top');
    const tables = [...(top?.querySelectorAll('table') ?? [])];
    expect(tables[0]?.textContent).toContain(SCRIPT);
    expect(tables[1]?.textContent).toContain('22/TCP');
  });

  it('shows hostile values as text and creates no element from them', () => {
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    expect([...doc.querySelectorAll('[onerror]')]).toHaveLength(0);
    const scripts = [...doc.querySelectorAll('script')];
    // the JSON data block, the chart library, the page's script: nothing else
    expect(scripts).toHaveLength(3);
    for (const s of scripts) expect(s.textContent).not.toContain('alert(1)');
    expect(text).not.toContain(SCRIPT);
    expect(text).not.toContain('<img');
    expect(doc.body.textContent).toContain(SCRIPT);
  });

  it('loads nothing from the network', () => {
    expect(text).not.toMatch(/<script[^>]*\ssrc=/i);
    expect(text).not.toMatch(/<link[^>]*href=["']?(https?:)?\/\//i);
    expect(text).not.toMatch(/@import/i);
    expect(text).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(doc.querySelectorAll('link, iframe, object, embed, img')).toHaveLength(0);
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+' 'sha256-/);
    expect(doc.querySelector('script:not([type])')?.textContent).toContain('uPlot');
  });

  it('embeds the timeline as JSON that parses, traffic included', () => {
    const data = JSON.parse(doc.getElementById('fh-data')?.textContent ?? '');
    expect(data.timeline.bucketSeconds).toBe(60);
    expect(data.timeline.t[0]).toBe(T0 - 120);
    expect(data.timeline.records[2]).toBe(4000);
    expect(data.timeline.severities.map((s: { label: string }) => s.label)).toEqual([
      'high',
      'medium',
      'low',
    ]);
    const high = data.timeline.severities[0].values as number[];
    expect(Math.max(...high)).toBe(1);
  });

  it('lists suppressed findings with their reason when asked, escaped', () => {
    const shown = parse(piecesText(renderFindingsHtml(report(true))));
    const suppressed = shown.getElementById('finding-dddddddddddddddd');
    expect(suppressed?.querySelector('.suppression')?.textContent).toContain(`scanner ${IMG}`);
    expect(shown.querySelectorAll('img')).toHaveLength(0);
    // without the workspace's traffic: the span comes from the findings, records are not known
    const data = JSON.parse(shown.getElementById('fh-data')?.textContent ?? '');
    expect(data.timeline.records).toBeNull();
    expect(shown.getElementById('overview')?.textContent).toContain('not recorded in this report');
  });

  it('renders an empty report', () => {
    const empty = parse(piecesText(renderFindingsHtml(report(false, []))));
    expect(empty.querySelectorAll('article.finding')).toHaveLength(0);
    expect(empty.getElementById('findings')?.textContent).toContain('No findings');
    expect(JSON.parse(empty.getElementById('fh-data')?.textContent ?? '').timeline).toBeNull();
  });
});

describe('per-finding charts', () => {
  const beacon = finding({
    id: 'eeeeeeeeeeeeeeee',
    detector: 'beacon',
    actor: '192.168.1.115',
    target: '41.108.179.197',
    metrics: {
      checkIns: 119,
      medianInterval: 23,
      histogramBinSeconds: 4.6,
      intervalHistogram: '0,0,0,0,59,59,0,0,0,0,1',
      ports: SCRIPT,
    },
  });
  const scan = finding({
    id: 'ffffffffffffffff',
    metrics: { ports: 400, failedPorts: 400 },
    evidence: [record({ dstPort: 1 }), record({ dstPort: 22 }), record({ dstPort: 8080, action: 'ACCEPT' })],
  });
  const sweep = finding({
    id: '1111111111111111',
    detector: 'portsweep',
    metrics: { ports: `445/TCP, 3389/TCP, ${SCRIPT}, 99999/TCP`, portCount: 2, unansweredPerPort: '50, 0' },
  });
  const probe = finding({
    id: '2222222222222222',
    detector: 'probe',
    metrics: { services: '22/TCP 6379/TCP', reachablePorts: '6379' },
  });
  const hostileBeacon = finding({
    id: '3333333333333333',
    detector: 'beacon',
    metrics: { histogramBinSeconds: IMG, intervalHistogram: SCRIPT },
  });
  const hostileHistogram = finding({
    id: '4444444444444444',
    detector: 'beacon',
    metrics: { histogramBinSeconds: 4, intervalHistogram: `1,2,${IMG}` },
  });
  const text = piecesText(
    renderFindingsHtml(report(false, [beacon, scan, sweep, probe, hostileBeacon, hostileHistogram])),
  );
  const doc = parse(text);
  const chart = (id: string, kind: string) =>
    doc.querySelector(`#finding-${id} figure[data-chart="${kind}"]`);

  it('draws the beacon interval histogram from the metrics: one bar per bucket, the median marked', () => {
    const fig = chart('eeeeeeeeeeeeeeee', 'interval-histogram');
    expect(fig?.getAttribute('data-counts')).toBe('0,0,0,0,59,59,0,0,0,0,1');
    expect(fig?.getAttribute('data-bin-seconds')).toBe('4.6');
    const buckets = [...(fig?.querySelectorAll('svg g.bucket') ?? [])];
    expect(buckets.map((g) => g.getAttribute('data-count'))).toEqual([
      '0',
      '0',
      '0',
      '0',
      '59',
      '59',
      '0',
      '0',
      '0',
      '0',
      '1',
    ]);
    const heights = buckets.map((g) => Number(g.querySelector('rect.count-bar')?.getAttribute('height')));
    expect(heights[4]).toBeGreaterThan(heights[10] ?? 0);
    expect(heights[10]).toBeGreaterThan(0);
    expect(heights[0]).toBe(0);
    expect(fig?.querySelector('line.median')).not.toBeNull();
    expect(fig?.querySelector('figcaption')?.textContent).toContain('18.4–23 s');
    expect(buckets[10]?.textContent).toContain('≥46');
    // a beacon is not a scan
    expect(chart('eeeeeeeeeeeeeeee', 'port-coverage')).toBeNull();
  });

  it('draws the port coverage of a port scan from its evidence, with the total from the metrics', () => {
    const fig = chart('ffffffffffffffff', 'port-coverage');
    expect(fig?.getAttribute('data-ports')).toBe('1,22,8080');
    expect(fig?.getAttribute('data-total')).toBe('400');
    expect(fig?.getAttribute('data-source')).toBe('evidence');
    const ticks = [...(fig?.querySelectorAll('svg line.port') ?? [])];
    expect(ticks.map((l) => [l.getAttribute('data-port'), l.getAttribute('data-state')])).toEqual([
      ['1', 'failed'],
      ['22', 'failed'],
      ['8080', 'seen'],
    ]);
    const xs = ticks.map((l) => Number(l.getAttribute('x1')));
    expect(xs[0]).toBeLessThan(xs[1] ?? 0);
    expect(xs[1]).toBeLessThan(xs[2] ?? 0);
    expect(fig?.querySelector('figcaption')?.textContent).toContain('400 distinct ports touched');
    expect(chart('ffffffffffffffff', 'interval-histogram')).toBeNull();
  });

  it('takes a sweep and a probe port list from the metrics, valid entries only', () => {
    const sweepFig = chart('1111111111111111', 'port-coverage');
    expect(sweepFig?.getAttribute('data-ports')).toBe('445,3389');
    expect(sweepFig?.getAttribute('data-source')).toBe('metrics');
    expect(
      [...(sweepFig?.querySelectorAll('line.port') ?? [])].map((l) => l.getAttribute('data-state')),
    ).toEqual(['failed', 'seen']);
    const probeFig = chart('2222222222222222', 'port-coverage');
    expect(
      [...(probeFig?.querySelectorAll('line.port') ?? [])].map((l) => [
        l.getAttribute('data-port'),
        l.getAttribute('data-state'),
      ]),
    ).toEqual([
      ['22', 'failed'],
      ['6379', 'answered'],
    ]);
    expect(probeFig?.querySelector('line.port title')?.textContent).toBe('22/TCP (failed)');
  });

  it('keeps hostile metric values as text: no chart from them, no element made of them', () => {
    expect(doc.querySelector('#finding-3333333333333333 figure')).toBeNull();
    expect(doc.querySelector('#finding-4444444444444444 figure')).toBeNull();
    const metrics = doc.querySelector('#finding-3333333333333333 table.kv:last-of-type')?.textContent ?? '';
    expect(doc.getElementById('finding-3333333333333333')?.textContent).toContain(SCRIPT);
    expect(doc.getElementById('finding-3333333333333333')?.textContent).toContain(IMG);
    expect(metrics.length).toBeGreaterThan(0);
    expect(doc.getElementById('finding-eeeeeeeeeeeeeeee')?.textContent).toContain(SCRIPT);
    expect(doc.getElementById('finding-1111111111111111')?.textContent).toContain(SCRIPT);
    expect(doc.querySelectorAll('img, [onerror]')).toHaveLength(0);
    expect(doc.querySelectorAll('script')).toHaveLength(3);
    expect(text).not.toContain(SCRIPT);
    expect(text).not.toContain('<img');
    for (const fig of doc.querySelectorAll('figure.finding-chart')) {
      expect(fig.outerHTML).not.toContain('alert(1)');
      expect(fig.querySelectorAll('script, foreignObject, [onload], [href]')).toHaveLength(0);
    }
  });
});

describe('escaping helpers', () => {
  it('escapes markup and quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
  });

  it('keeps the JSON block closed and parseable', () => {
    const value = { s: '</script><!-- \u2028 & >' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('renderFindingsHtml: sources and owners', () => {
  const flood = finding({
    id: 'eeeeeeeeeeeeeeee',
    detector: 'flood',
    actor: '198.51.100.7',
    actorOwner: { asn: 64500, asOrg: `Hosting ${SCRIPT}`, country: 'NL' },
    sources: Array.from({ length: 25 }, (_, i) => ({
      actor: `198.51.100.${7 + i}`,
      count: 100 - i,
      firstSeen: T,
      lastSeen: T + 60,
      packets: 1000 - i,
      bytes: 60_000 - i,
      ...(i === 0 ? { owner: { asn: 64500, asOrg: `Hosting ${SCRIPT}`, country: 'NL' } } : {}),
    })),
  });
  const base = report(false, [flood]);
  const withData: ScanReport = {
    ...base,
    analysis: {
      ...base.analysis,
      enrichment: [
        {
          name: '@ip-location-db/asn 2.3.2026061719',
          date: '2026-06-17',
          licence: 'CC-BY-4.0',
          url: 'https://github.com/sapics/ip-location-db',
          attribution: 'ASN data by RouteViews, DB-IP and the NRO, CC BY 4.0',
        },
      ],
    },
  };
  const doc = parse(piecesText(renderFindingsHtml({ ...withData, traffic })));

  it("lists a flood's busiest sources with their owners and volumes, and says the JSON holds the rest", () => {
    const article = doc.getElementById('finding-eeeeeeeeeeeeeeee');
    const rows = [...(article?.querySelectorAll('tr.source-row') ?? [])].map((r) =>
      [...r.querySelectorAll('td')].map((td) => td.textContent),
    );
    expect(rows).toHaveLength(20);
    expect(rows[0]?.slice(0, 5)).toEqual([
      '198.51.100.7',
      `AS64500 Hosting ${SCRIPT}, NL`,
      '100',
      '1,000',
      '60,000',
    ]);
    expect(rows[1]?.[1]).toBe('-');
    expect(article?.querySelector('table.sources caption')?.textContent).toBe(
      '25 source(s), busiest first; the first 20 here, all in the JSON output',
    );
    expect(article?.textContent).toContain(`actor's owner`);
    expect(doc.querySelector('article script')).toBeNull(); // the owner's name stayed text
  });

  it('credits the enrichment data with its date in the footer', () => {
    expect(doc.querySelector('footer')?.textContent).toContain(
      'Address owners from: @ip-location-db/asn 2.3.2026061719, data of 2026-06-17 (CC-BY-4.0): ASN data by RouteViews',
    );
  });
});
