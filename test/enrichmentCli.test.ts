import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateOcsfEvent } from '../src/outputs/ocsfSchema/validateOcsf.js';
import { flowhawk } from './helpers/cli.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * Who owns an address, end to end: the bundled AWS ranges and the ASN/country databases name the
 * owners of internet addresses in every output, and the AWS ranges keep an upload to S3 from being
 * called exfiltration although the logs have no pkt-dst-aws-service.
 */
const T = 1_700_000_000;
const MB = 1_000_000;
const HOST = '10.0.1.5';
const S3 = '52.219.170.77'; // an S3 range of the bundled ip-ranges.json (eu-central-1)
const STRANGER = '8.8.4.4'; // Google's address space (AS15169): not AWS
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-enrichment-cli-'));
const logs = join(dir, 'flows.log');

const upload = (flows: FlowBuilder, server: string) =>
  flows.repeat(10, 300, T, (_, at) => ({
    client: HOST,
    server,
    port: 443,
    at,
    duration: 290,
    outPackets: 150_000,
    outBytes: 200 * MB,
    inPackets: 2000,
    inBytes: 200_000,
    interfaces: ['eni-host'],
  }));

beforeAll(() => {
  writeFileSync(logs, upload(upload(new FlowBuilder(), S3), STRANGER).text());
});

interface Owner {
  aws?: { service: string; region: string };
  asn?: number;
  asOrg?: string;
  country?: string;
}

describe('flowhawk scan: address owners', () => {
  it('names the owner of the internet end, calls only the upload outside AWS exfil, and dates its data', () => {
    const { code, stdout, stderr } = flowhawk('scan', logs, '--format', 'json', '-q');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      analysis: { enrichment: { name: string; date: string; licence: string; attribution: string }[] };
      findings: { detector: string; actor: string; target: string; targetOwner?: Owner }[];
    };
    const exfil = doc.findings.filter((f) => f.detector === 'exfil');
    expect(exfil.map((f) => [f.actor, f.target])).toEqual([[HOST, STRANGER]]);
    expect(exfil[0]?.targetOwner).toMatchObject({ asn: 15169, asOrg: 'Google LLC', country: 'US' });
    expect(exfil[0]?.targetOwner?.aws).toBeUndefined();
    const [aws, asn, country] = doc.analysis.enrichment;
    expect(aws).toMatchObject({
      name: expect.stringContaining('ip-ranges.json'),
      date: '2026-08-22T15:17:05Z',
    });
    expect(asn).toMatchObject({
      name: expect.stringMatching(/^@ip-location-db\/asn \d/),
      licence: 'CC-BY-4.0',
    });
    expect(asn?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(country?.name).toMatch(/^@ip-location-db\/asn-country /);
  });

  it('counts the upload to S3 when told to, labelled with the service and region', () => {
    const config = join(dir, 'count-aws.json');
    writeFileSync(config, JSON.stringify({ detectors: { exfil: { excludeAwsServices: 0 } } }));
    const { code, stdout } = flowhawk('scan', logs, '--config', config, '--format', 'json', '-q');
    expect(code).toBe(0);
    const { findings } = JSON.parse(stdout) as { findings: { target: string; targetOwner?: Owner }[] };
    expect(findings.find((f) => f.target === S3)?.targetOwner).toMatchObject({
      aws: { service: 'S3', region: 'eu-central-1' },
      asn: 16509,
    });
  });

  it('puts the owner on the OCSF endpoint as autonomous_system and location, valid against the schema', () => {
    const out = join(dir, 'findings.ocsf.json');
    expect(flowhawk('scan', logs, '--format', 'ocsf', '--output', out, '-q').code).toBe(0);
    const events = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>[];
    const exfil = events.find((e) => JSON.stringify(e).includes(`"dst_endpoint":{"ip":"${STRANGER}"`));
    expect(exfil).toBeDefined();
    const [summary] = (exfil?.evidences ?? []) as { dst_endpoint?: Record<string, unknown> }[];
    expect(summary?.dst_endpoint).toMatchObject({
      ip: STRANGER,
      autonomous_system: { number: 15169, name: 'Google LLC' },
      location: { country: 'US' },
    });
    for (const event of events) expect(validateOcsfEvent(event)).toEqual([]);
  });

  it('shows the owners in the terminal table, and the data they came from', () => {
    const { stdout } = flowhawk('scan', logs);
    expect(stdout).toContain(`${HOST} → ${STRANGER} (AS15169 Google LLC, US)`);
    expect(stdout).toMatch(/Address owners from:\n {2}AWS ip-ranges\.json .*data of 2026-08-22/);
  });
});
