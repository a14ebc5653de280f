import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../finding.js';
import type { ScanReport } from '../report.js';
import { csvCell, renderFindingsCsv } from './findingsCsv.js';
import { mdText, renderFindingsMarkdown } from './findingsMarkdown.js';
import { renderFindingsNdjson } from './findingsNdjson.js';
import { renderFindingsTable } from './findingsTable.js';
import { piecesText } from './writePieces.js';

const finding = (over: Partial<Finding>): Finding => ({
  id: '0123456789abcdef',
  detector: 'portscan',
  title: 'Vertical port scan',
  severity: 'medium',
  confidence: 0.9,
  actor: '10.0.0.5',
  target: '10.0.0.9',
  targetCount: 1,
  direction: 'internal',
  attack: ['T1046', 'T1595.001'],
  firstSeen: 1700000000,
  lastSeen: 1700000060,
  count: 7,
  explanation: 'contacted 7 ports, "quoted", with a comma',
  subScores: { walk: 1 },
  metrics: {},
  limitations: [],
  evidence: [
    {
      file: 'logs/a.log.gz',
      line: 12,
      start: 1700000000,
      end: 1700000001,
      srcAddr: '10.0.0.5',
      srcPort: 40000,
      dstAddr: '10.0.0.9',
      dstPort: 22,
      protocol: 6,
      packets: 1,
      bytes: 60,
      action: 'REJECT',
      tcpFlags: 2,
      interfaceId: 'eni-1',
      flowDirection: 'ingress',
      accountId: '123456789012',
      region: 'us-east-1',
      logStatus: null,
    },
  ],
  ...over,
});

const report = (findings: Finding[], showSuppressed = false): ScanReport => ({
  version: '0.1.0',
  generatedAt: '2026-11-28T00:00:00.000Z',
  analysis: { findings, detectors: [], connections: 10, elapsedMs: 1, threatLists: [] },
  showSuppressed,
});

const hostile = finding({
  id: 'fedcba9876543210',
  actor: '=HYPERLINK("http://x")',
  explanation: '+1\nline two',
});
const hidden = finding({ id: 'aaaaaaaaaaaaaaaa', suppressed: { reason: 'known scanner', rule: 0 } });

describe('CSV', () => {
  it('parses back with a real CSV parser, one row per shown finding, formulas neutralised', () => {
    const rows = parse(piecesText(renderFindingsCsv(report([finding({}), hostile, hidden]))), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      id: '0123456789abcdef',
      severity: 'medium',
      actor: '10.0.0.5',
      count: '7',
      attack: 'T1046 T1595.001',
      explanation: 'contacted 7 ports, "quoted", with a comma',
      first_evidence: 'logs/a.log.gz:12',
      first_seen: '2023-11-14T22:13:20.000Z',
    });
    expect(rows[1]?.actor).toBe('\'=HYPERLINK("http://x")');
    expect(rows[1]?.explanation).toBe("'+1\nline two");
  });

  it('lists suppressed findings with their reason when asked', () => {
    const rows = parse(piecesText(renderFindingsCsv(report([hidden], true))), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows[0]?.suppressed).toBe('known scanner');
  });

  it('escapes only what needs it', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('-5')).toBe("'-5");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});

describe('NDJSON', () => {
  it('writes one parseable finding per line', () => {
    const lines = piecesText(renderFindingsNdjson(report([finding({}), hostile])))
      .trimEnd()
      .split('\n');
    expect(lines.map((l) => JSON.parse(l).id)).toEqual(['0123456789abcdef', 'fedcba9876543210']);
  });
});

describe('Markdown', () => {
  it('tabulates findings and keeps values from the logs from becoming markup', () => {
    const md = piecesText(renderFindingsMarkdown(report([finding({ actor: '<script>alert(1)</script>' })])));
    expect(md).toContain('| medium | portscan |');
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain('| logs/a.log.gz:12 |');
    expect(mdText('[x](http://e) | y')).toBe('\\[x\\]\\(http://e\\) \\| y');
  });
});

describe('table', () => {
  it('points at the first evidence record, and counts the others only when there are some', () => {
    const one = piecesText(renderFindingsTable(report([finding({})])));
    expect(one).toContain('evidence: logs/a.log.gz:12\n');
    const base = finding({});
    const two = piecesText(
      renderFindingsTable(report([finding({ evidence: [...base.evidence, ...base.evidence] })])),
    );
    expect(two).toContain('evidence: logs/a.log.gz:12 (+1 more in json output)');
  });
});

describe('Markdown evidence', () => {
  it("shows a log-status record's status where a flow's action stands", () => {
    const base = finding({});
    const [record] = base.evidence;
    if (!record) throw new Error('fixture has evidence');
    const md = piecesText(
      renderFindingsMarkdown(
        report([finding({ evidence: [{ ...record, action: null, logStatus: 'SKIPDATA' }] })]),
      ),
    );
    expect(md).toContain('| action / status |');
    expect(md).toMatch(/\| SKIPDATA \|\n/);
  });
});

describe('address owners', () => {
  const owned = finding({
    actor: '203.0.113.9',
    direction: 'inbound',
    actorOwner: { asn: 64500, asOrg: 'Example Hosting', country: 'NL' },
    targetOwner: { aws: { service: 'S3', region: 'eu-central-1' }, asn: 16509 },
  });
  const sources = [
    {
      name: 'AWS ip-ranges.json (syncToken 1787411825, bundled)',
      date: '2026-08-22T15:17:05Z',
      licence: 'published by AWS',
      url: 'https://ip-ranges.amazonaws.com/ip-ranges.json',
      attribution: 'Amazon Web Services',
    },
    {
      name: '@ip-location-db/asn 2.3.2026061719',
      date: '2026-06-17',
      licence: 'CC-BY-4.0',
      url: 'https://github.com/sapics/ip-location-db',
      attribution: 'ASN data by RouteViews, DB-IP and the NRO, CC BY 4.0',
    },
  ];
  const withSources = (): ScanReport => {
    const r = report([owned]);
    return { ...r, analysis: { ...r.analysis, enrichment: sources } };
  };

  it('names the owners beside the addresses in the table, and the data with its date and credit last', () => {
    const text = piecesText(renderFindingsTable(withSources()));
    expect(text).toContain(
      '203.0.113.9 (AS64500 Example Hosting, NL) → 10.0.0.9 (AWS S3 eu-central-1, AS16509)',
    );
    const tail = text.slice(text.indexOf('Address owners from:'));
    expect(tail).toContain('@ip-location-db/asn 2.3.2026061719, data of 2026-06-17 (CC-BY-4.0): ASN data by');
    expect(tail).toContain('data of 2026-08-22');
  });

  it('gives CSV an owner column per end, and Markdown the owners and the sources', () => {
    const [row] = parse(piecesText(renderFindingsCsv(withSources())), { columns: true }) as Record<
      string,
      string
    >[];
    expect(row).toMatchObject({
      actor_owner: 'AS64500 Example Hosting, NL',
      target_owner: 'AWS S3 eu-central-1, AS16509',
    });
    const md = piecesText(renderFindingsMarkdown(withSources()));
    expect(md).toContain('203.0.113.9 \\(AS64500 Example Hosting, NL\\)');
    expect(md).toMatch(/## Address owners from\n\n- AWS ip-ranges\.json \\\(syncToken/);
  });

  it('says nothing of owners when the data knows none', () => {
    const text = piecesText(renderFindingsTable(report([finding({})])));
    expect(text).toContain('10.0.0.5 → 10.0.0.9 ');
    expect(text).not.toContain('Address owners');
  });
});
