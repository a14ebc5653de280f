import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { asffProblems } from './helpers/asffRules.js';
import { flowhawk } from './helpers/cli.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/** The scan command driven as a user would: a subprocess, its exit code, stdout and stderr. */
const T = 1_700_000_000;
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-scan-cli-'));
const logs = join(dir, 'flows.log');

beforeAll(() => {
  const flows = new FlowBuilder()
    .repeat(120, 0.5, T, (i, at) => ({
      client: '203.0.113.9',
      server: '10.0.1.10',
      port: i + 1,
      at,
      outcome: 'rejected',
    }))
    .repeat(80, 0.5, T, (i, at) => ({
      client: '10.9.0.5',
      server: '10.0.1.11',
      port: i + 1,
      at,
      outcome: 'refused',
    }))
    .tcp({ client: '198.51.100.7', server: '10.0.1.20', port: 6379, at: T });
  writeFileSync(logs, flows.text());
});

describe('flowhawk scan', () => {
  it('prints the findings as a table on stdout, exit 0', () => {
    const { code, stdout } = flowhawk('scan', logs);
    expect(code).toBe(0);
    expect(stdout).toContain('Read 1 file(s)');
    expect(stdout).toMatch(/HIGH \(1\)\n\s+exposure\s+198\.51\.100\.7 → 10\.0\.1\.20/);
    expect(stdout).toMatch(/portscan\s+203\.0\.113\.9 → 10\.0\.1\.10/);
    // 80 refused connections each of 60 + 40 bytes: 8.0 kB, ties broken by address
    expect(stdout).toMatch(/^Top talkers by bytes: 10\.0\.1\.11 8\.0 kB, 10\.9\.0\.5 8\.0 kB, /m);
    expect(stdout).toMatch(/^Top services by connections: 1\/tcp 2, 2\/tcp 2, /m);
    // a detector that cannot judge says so instead of reporting nothing
    expect(stdout).toMatch(/unusualport did not run: .*baseline needs 7/);
  });

  it('writes native JSON with the findings, evidence carrying file and line', () => {
    const { code, stdout } = flowhawk('scan', logs, '--format', 'json');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.ingest.records).toBeGreaterThan(0);
    const scan = doc.findings.find((f: { actor: string }) => f.actor === '203.0.113.9');
    expect(scan).toMatchObject({ detector: 'portscan', target: '10.0.1.10', direction: 'inbound' });
    expect(scan.evidence[0]).toMatchObject({ file: logs, line: 2, srcAddr: '203.0.113.9' });
  });

  it('writes OCSF Detection Findings with the required fields to --output', () => {
    const out = join(dir, 'findings.ocsf.json');
    const { code, stdout } = flowhawk('scan', logs, '--format', 'ocsf', '--output', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const findings = JSON.parse(readFileSync(out, 'utf8'));
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const f of findings) {
      expect(f).toMatchObject({ class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401 });
      expect([1, 2, 3, 4, 5]).toContain(f.severity_id);
      expect([1, 2, 3]).toContain(f.confidence_id);
      expect(typeof f.time).toBe('number');
      expect(f.metadata.product.name).toBe('flowhawk');
      expect(f.metadata.version).toMatch(/^1\.\d+\.\d+$/);
      expect(f.finding_info.uid).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof f.finding_info.title).toBe('string');
      expect(f.finding_info.first_seen_time).toBeLessThanOrEqual(f.finding_info.last_seen_time);
      for (const a of f.finding_info.attacks) expect(a.technique.uid).toMatch(/^T\d{4}/);
      // the first evidence summarises the finding: the actor as its source endpoint
      expect(f.evidences[0].data.summary).toBe(true);
      expect(typeof f.evidences[0].src_endpoint.ip).toBe('string');
      expect(f.evidences.length).toBeGreaterThan(1);
    }
    const scan = findings.find(
      (f: { evidences: { src_endpoint: { ip: string } }[] }) =>
        f.evidences[0]?.src_endpoint.ip === '203.0.113.9',
    );
    expect(scan.finding_info.types[0]).toBe('portscan');
    expect(scan.evidences[0].dst_endpoint.ip).toBe('10.0.1.10');
    expect(scan.evidences[1].data).toMatchObject({ file: logs, line: 2 });
  });

  it('re-analyses a workspace with a new allowlist, without re-reading the files', () => {
    const workspace = join(dir, 'ws.duckdb');
    expect(flowhawk('scan', logs, '--workspace', workspace, '--format', 'json').code).toBe(0);
    const config = join(dir, 'allow.json');
    writeFileSync(
      config,
      JSON.stringify({
        allowlist: [{ cidr: ['10.9.0.0/24'], detector: ['portscan'], reason: 'Nessus scanner' }],
      }),
    );
    const quiet = JSON.parse(
      flowhawk('scan', '--workspace', workspace, '--config', config, '--format', 'json').stdout,
    );
    expect(quiet.ingest).toBeNull();
    expect(quiet.findings.map((f: { actor: string }) => f.actor)).not.toContain('10.9.0.5');
    expect(quiet.analysis.suppressed).toBe(1);
    const shown = flowhawk('scan', '--workspace', workspace, '--config', config, '--show-suppressed');
    expect(shown.stdout).toContain('suppressed: Nessus scanner');
  });

  it('rejects a config with an unknown threshold, naming it (exit 3)', () => {
    const config = join(dir, 'typo.json');
    writeFileSync(config, JSON.stringify({ detectors: { portscan: { minPort: 10 } } }));
    const { code, stderr, stdout } = flowhawk('scan', logs, '--config', config);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toContain('detectors.portscan.minPort: no such parameter');
    expect(stderr).toContain('minPorts');
  });

  it('usage errors exit 2: no input, unknown format', () => {
    expect(flowhawk('scan').code).toBe(2);
    const bad = flowhawk('scan', logs, '--format', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown format "xml"');
  });
});

describe('flowhawk detectors', () => {
  it('lists every detector with its ATT&CK ids and thresholds, as JSON too', () => {
    const text = flowhawk('detectors');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/portscan\s+Vertical port scan\s+\[T1046/);
    const cards = JSON.parse(flowhawk('detectors', '--json').stdout);
    const portscan = cards.find((c: { id: string }) => c.id === 'portscan');
    expect(portscan.params.minPorts).toMatchObject({ value: 5, unit: 'ports' });
  });
});

describe('flowhawk scan --threat-list', () => {
  it('reads the lists, warning on standard error about entries it could not use (list, line)', () => {
    const list = join(dir, 'c2.txt');
    writeFileSync(list, '# C2\n203.0.113.9\n1.2.3\n');
    const { code, stdout, stderr } = flowhawk(
      'scan',
      logs,
      '--threat-list',
      `c2=${list}`,
      '--format',
      'json',
      '--quiet',
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).findings.length).toBeGreaterThan(0);
    expect(stderr).toBe(
      `flowhawk: warning: threat list "c2.txt" (${list}): 1 entry not used (1 used): line 3 "1.2.3": not an IPv4 or IPv6 address or CIDR\n`,
    );
  });

  it('fails with exit 3 naming the list when it cannot be read, or the config entry is wrong', () => {
    const missing = flowhawk('scan', logs, '--threat-list', join(dir, 'nope.txt'));
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(`threat list "nope.txt": cannot read ${join(dir, 'nope.txt')}`);
    const config = join(dir, 'lists.json');
    writeFileSync(
      config,
      JSON.stringify({ threatLists: [{ name: 'feodo', kind: 'botnet', path: 'x.txt' }] }),
    );
    const bad = flowhawk('scan', logs, '--config', config);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain('threatLists[0].kind: must be one of c2, tor, mining, scanner, other');
  });
});

describe('flowhawk scan --format csv|ndjson|md', () => {
  it('writes each format with the same findings as the JSON output', async () => {
    const { parse } = await import('csv-parse/sync');
    const ids = (JSON.parse(flowhawk('scan', logs, '--format', 'json').stdout).findings as { id: string }[])
      .map((f) => f.id)
      .sort();
    const csv = parse(flowhawk('scan', logs, '--format', 'csv').stdout, { columns: true }) as {
      id: string;
    }[];
    expect(csv.map((r) => r.id).sort()).toEqual(ids);
    const ndjson = flowhawk('scan', logs, '--format', 'ndjson').stdout.trimEnd().split('\n');
    expect(ndjson.map((l) => JSON.parse(l).id).sort()).toEqual(ids);
    const md = flowhawk('scan', logs, '--format', 'md').stdout;
    expect(md).toMatch(/^# flowhawk findings/);
    expect(md.match(/^## /gm)).toHaveLength(ids.length);
    expect(md).toContain('| high | exposure | 198.51.100.7 | 10.0.1.20 |');
  });
});

describe('flowhawk scan exit codes and streams', () => {
  it('exits 1 when a finding reaches --fail-on, 0 when none does', () => {
    expect(flowhawk('scan', logs, '--fail-on', 'high', '-q').code).toBe(1);
    expect(flowhawk('scan', logs, '--fail-on', 'critical', '-q').code).toBe(0);
    const bad = flowhawk('scan', logs, '--fail-on', 'severe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown severity "severe"');
  });

  it('keeps progress on standard error, results on standard output, and --quiet silences progress', () => {
    const loud = flowhawk('scan', logs, '--format', 'json');
    expect(() => JSON.parse(loud.stdout)).not.toThrow();
    expect(loud.stderr).toMatch(/flowhawk: read 1\/1 files/);
    expect(loud.stderr).toMatch(/read \d+ flow records; analysing/);
    const verbose = flowhawk('scan', logs, '--format', 'json', '--quiet', '--verbose');
    expect(verbose.stderr).toMatch(/^flowhawk: config: defaults; \d+ connections/m);
    expect(verbose.stderr).toMatch(/^flowhawk: portscan +\d+ candidate\(s\) → 2 finding\(s\)/m);
    expect(verbose.stderr).toMatch(/^flowhawk: unusualport +skipped: /m);
    // the stage line `npm run bench` reads: every stage, after the output is written
    expect(verbose.stderr).toMatch(
      /^flowhawk: stages: read \d+\.\d\d s, connections \d+\.\d\d s, detectors \d+\.\d\d s, evidence \d+\.\d\d s, leaders \d+\.\d\d s, render \d+\.\d\d s$/m,
    );
    const quiet = flowhawk('scan', logs, '--format', 'json', '--quiet');
    expect(quiet.stderr).toBe('');
    expect(JSON.parse(quiet.stdout).findings.length).toBe(JSON.parse(loud.stdout).findings.length);
  });
});

describe('flowhawk scan --format asff', () => {
  it('writes Security Hub findings with every required ASFF field, account and region from the data', () => {
    const findings = JSON.parse(flowhawk('scan', logs, '--format', 'asff', '-q').stdout) as Record<
      string,
      unknown
    >[];
    expect(findings.length).toBeGreaterThanOrEqual(3);
    for (const f of findings) {
      // every constraint BatchImportFindings documents (test/helpers/asffRules.ts)
      expect(asffProblems(f), String(f.Id)).toEqual([]);
      expect(f.SchemaVersion).toBe('2018-10-08');
      expect(f.AwsAccountId).toBe('123456789012');
      expect(f.ProductArn).toMatch(
        /^arn:aws:securityhub:[a-z0-9-]+:123456789012:product\/123456789012\/default$/,
      );
    }
    const scan = findings.find(
      (f) => (f.Network as { SourceIpV4?: string } | undefined)?.SourceIpV4 === '203.0.113.9',
    );
    expect(scan).toMatchObject({
      Network: { Direction: 'IN', DestinationIpV4: '10.0.1.10' },
      Action: {
        ActionType: 'NETWORK_CONNECTION',
        NetworkConnectionAction: { ConnectionDirection: 'INBOUND' },
      },
    });
    // the scanned host and the interface that logged it are the resources; the scanner is not
    const resources = scan?.Resources as { Type: string; Id: string }[] | undefined;
    expect(resources?.map((r) => [r.Type, r.Id])).toEqual([
      ['Other', '10.0.1.10'],
      // an ARN when the records name the region too; these name the account only
      ['AwsEc2NetworkInterface', 'eni-server'],
    ]);
  });
});

describe('flowhawk formats', () => {
  it('describes every output format scan accepts, and the input formats', async () => {
    const { FORMATS } = await import('../src/outputs/formats.js');
    const { code, stdout } = flowhawk('formats');
    expect(code).toBe(0);
    for (const name of Object.keys(FORMATS)) expect(stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    for (const name of ['parquet', 'zeek-conn', 'argus-binetflow', 'cloudwatch-export'])
      expect(stdout).toContain(name);
  });
});
