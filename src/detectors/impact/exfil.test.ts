import { describe, expect, it } from 'vitest';
import {
  BARE_FIELDS,
  type Connection,
  FlowBuilder,
  findingsOf,
  scanBuilt,
  TRAFFIC_PATH_FIELDS,
} from '../../../test/helpers/flowBuilder.js';
import exfil from './exfil.js';

/** Midnight UTC, 14 November 2023: hours and days start on it. */
const T = 1_699_920_000;
const DAY = 86_400;
const HOST = '10.0.1.5';
const DROP = '203.0.113.50';
const MB = 1_000_000;
const scan = (flows: FlowBuilder, options: Parameters<typeof scanBuilt>[1] = {}) =>
  scanBuilt(flows, { detectors: [exfil], ...options });

/** `total` bytes uploaded from HOST to `server`:443 in 10 connections of 5 minutes, from `at`. */
const upload = (flows: FlowBuilder, at: number, total: number, extra: Partial<Connection> = {}) =>
  flows.repeat(10, 300, at, (_, start) => ({
    client: HOST,
    server: DROP,
    port: 443,
    at: start,
    duration: 290,
    outPackets: Math.ceil(total / 10 / 1400),
    outBytes: total / 10,
    inPackets: 2000,
    inBytes: 200_000,
    interfaces: ['eni-host'],
    ...extra,
  }));

/** HOST's ordinary days: an hour of API calls (20 MB out) at 09:00 on each of `days` days before T. */
const ordinaryDays = (days: number, flows = new FlowBuilder()) => {
  for (let d = days; d >= 1; d--) {
    flows.repeat(20, 180, T - d * DAY + 9 * 3600, (_, at) => ({
      client: HOST,
      server: '198.51.100.20',
      port: 443,
      at,
      outBytes: MB,
      inBytes: 5 * MB,
      interfaces: ['eni-host'],
    }));
  }
  return flows;
};

describe('exfil', () => {
  it('names a 1.2 GB upload in an hour from a host with no history, medium', async () => {
    const [finding, ...rest] = findingsOf(
      await scan(upload(new FlowBuilder(), T + 3600, 1200 * MB)),
      'exfil',
    );
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ actor: HOST, target: DROP, direction: 'outbound', severity: 'medium' });
    expect(finding?.metrics).toMatchObject({ bytes: 1200 * MB, connections: 10, historyDays: 0 });
    expect(finding?.explanation).toBe(
      `${HOST} sent 1.2 GB to ${DROP} within an hour on connections it opened, receiving 2 MB (threshold 500 MB per destination per hour); the workspace holds ${HOST} on 0 earlier days (needs 3 to compare it with its own history), so only the absolute threshold applies.`,
    );
    expect(finding?.evidence[0]).toMatchObject({ srcAddr: HOST, dstAddr: DROP, dstPort: 443 });
  });

  it('stays silent just under the threshold: 450 MB in an hour', async () => {
    expect(findingsOf(await scan(upload(new FlowBuilder(), T + 3600, 450 * MB)), 'exfil')).toHaveLength(0);
  });

  it('does not call a big download exfiltration', async () => {
    const flows = new FlowBuilder().repeat(10, 300, T, (_, at) => ({
      client: HOST,
      server: DROP,
      port: 443,
      at,
      duration: 290,
      outBytes: 2 * MB,
      inPackets: 150_000,
      inBytes: 200 * MB,
      interfaces: ['eni-host'],
    }));
    expect(findingsOf(await scan(flows), 'exfil')).toHaveLength(0);
  });

  it('rates a transfer far beyond the host’s own history high, and a smaller one medium', async () => {
    const big = findingsOf(await scan(upload(ordinaryDays(4), T + 3600, 2000 * MB)), 'exfil')[0];
    expect(big).toMatchObject({ actor: HOST, target: DROP, severity: 'high' });
    expect(big?.metrics).toMatchObject({ historyDays: 4, busiestBefore: 20 * MB, factor: 100 });
    expect(big?.explanation).toContain(
      '100× its busiest hour on the 4 earlier days the workspace holds, 20 MB (threshold 3× and at least 100 MB)',
    );
    const small = findingsOf(await scan(upload(ordinaryDays(4), T + 3600, 300 * MB)), 'exfil')[0];
    expect(small).toMatchObject({ actor: HOST, severity: 'medium' });
    expect(small?.explanation).not.toContain('threshold 500 MB');
  });

  it('rates a nightly offsite backup low once the workspace holds its earlier nights', async () => {
    let flows = new FlowBuilder();
    for (let d = 5; d >= 0; d--) flows = upload(flows, T - d * DAY + 2 * 3600, (1000 + d * 20) * MB);
    const [backup, ...rest] = findingsOf(await scan(flows), 'exfil');
    expect(rest).toHaveLength(0);
    expect(backup).toMatchObject({ actor: HOST, target: DROP, severity: 'low' });
    expect(backup?.metrics).toMatchObject({ pairDays: 6, windows: 6 });
    expect(backup?.explanation).toMatch(
      /on 6 days the workspace holds \(threshold 3\): a scheduled transfer, rated low/,
    );
  });

  it('rates low a host that sends this much every day, now to a new destination', async () => {
    let flows = new FlowBuilder();
    for (let d = 4; d >= 1; d--)
      flows = upload(flows, T - d * DAY + 3600, 1000 * MB, { server: `198.51.100.${d}` });
    const [finding, ...rest] = findingsOf(await scan(upload(flows, T + 3600, 1200 * MB)), 'exfil').filter(
      (f) => f.target === DROP,
    );
    expect(rest).toHaveLength(0);
    expect(finding).toMatchObject({ severity: 'low', metrics: expect.objectContaining({ factor: 1.2 }) });
    expect(finding?.explanation).toContain(
      'but it sent up to 1 GB in an hour on the 4 earlier days the workspace holds (1.2×, threshold 3×): usual for this host, rated low',
    );
  });

  it('does not call a nightly backup to S3 through a gateway endpoint exfiltration', async () => {
    const s3 = { awsService: 'S3', trafficPath: 7 };
    const flows = upload(new FlowBuilder(), T + 2 * 3600, 20_000 * MB, s3);
    expect(findingsOf(await scan(flows, { fields: TRAFFIC_PATH_FIELDS }), 'exfil')).toHaveLength(0);
    // either field alone tells it
    for (const only of [{ awsService: 'S3' }, { trafficPath: 7 }]) {
      const one = upload(new FlowBuilder(), T + 2 * 3600, 20_000 * MB, only);
      expect(findingsOf(await scan(one, { fields: TRAFFIC_PATH_FIELDS }), 'exfil')).toHaveLength(0);
    }
    // counted when the account says any upload to a bucket matters
    const config = { detectors: { exfil: { excludeAwsServices: 0 } } };
    const counted = findingsOf(await scan(flows, { fields: TRAFFIC_PATH_FIELDS, config }), 'exfil');
    expect(counted[0]).toMatchObject({ actor: HOST, severity: 'medium' });
  });

  it('judges an upload to an EC2 address like any other: EC2 is an address range, not a service', async () => {
    const flows = upload(new FlowBuilder(), T + 3600, 1200 * MB, { awsService: 'EC2', trafficPath: 8 });
    const [finding] = findingsOf(await scan(flows, { fields: TRAFFIC_PATH_FIELDS }), 'exfil');
    expect(finding).toMatchObject({ actor: HOST, target: DROP, severity: 'medium' });
    expect(finding?.limitations).toEqual([]);
  });

  it('still finds the upload without the AWS-service fields, which it does not need', async () => {
    const fields = BARE_FIELDS;
    const [finding] = findingsOf(
      await scan(upload(new FlowBuilder(), T + 3600, 1200 * MB), { fields }),
      'exfil',
    );
    expect(finding).toMatchObject({ actor: HOST, target: DROP, severity: 'medium', limitations: [] });
  });

  it('tells an upload to S3 by AWS published ranges when the logs have no AWS-service fields', async () => {
    const s3 = '52.219.170.77'; // in an S3 range of the bundled ip-ranges.json (eu-central-1)
    const flows = upload(new FlowBuilder(), T + 3600, 20_000 * MB, { server: s3 });
    expect(findingsOf(await scan(flows, { fields: BARE_FIELDS }), 'exfil')).toHaveLength(0);
    const config = { detectors: { exfil: { excludeAwsServices: 0 } } };
    const [counted] = findingsOf(await scan(flows, { fields: BARE_FIELDS, config }), 'exfil');
    expect(counted).toMatchObject({
      actor: HOST,
      target: s3,
      targetOwner: { aws: { service: 'S3', region: 'eu-central-1' }, asn: 16509 },
    });
  });
});
