import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { AddressOwner, EvidenceRecord, Finding, FindingSource } from '../../src/finding.js';
import { SHARED_SCHEMAS } from '../../src/server/schemas.js';

/**
 * The API serialises findings through its response schema, and a property the schema does not name
 * is dropped without a word. A finding with every field set (Required<…>: a field added to Finding
 * fails to compile here until it is listed) must come back whole.
 */

const owner: Required<AddressOwner> = {
  aws: { service: 'EC2', region: 'eu-west-1', networkBorderGroup: 'eu-west-1' },
  asn: 16509,
  asOrg: 'AMAZON-02',
  country: 'IE',
};

const source: Required<FindingSource> = {
  actor: '198.51.100.7',
  count: 120,
  firstSeen: 1710115200,
  lastSeen: 1710115300,
  packets: 240,
  bytes: 14_400,
  owner,
  severity: 'high',
  confidence: 0.9,
  id: 'f-source',
};

const evidence: Required<EvidenceRecord> = {
  file: 's3://bucket/AWSLogs/x.log.gz',
  line: 7,
  start: 1710115200,
  end: 1710115260,
  srcAddr: '198.51.100.7',
  srcPort: 40000,
  dstAddr: '10.0.0.5',
  dstPort: 443,
  protocol: 6,
  packets: 2,
  bytes: 120,
  action: 'ACCEPT',
  tcpFlags: 2,
  interfaceId: 'eni-0123',
  flowDirection: 'ingress',
  accountId: '123456789012',
  region: 'eu-west-1',
  logStatus: null,
} as Required<EvidenceRecord>;

const finding: Required<Finding> = {
  id: 'f-1',
  detector: 'flood',
  title: 'Flood',
  severity: 'high',
  confidence: 0.9,
  actor: '198.51.100.7',
  target: '10.0.0.5',
  targetCount: 1,
  direction: 'inbound',
  attack: ['T1498'],
  firstSeen: 1710115200,
  lastSeen: 1710115300,
  count: 120,
  explanation: 'many connections',
  subScores: { rate: 0.8 },
  metrics: { connections: 120, ports: '443/TCP' },
  limitations: ['no tcp-flags'],
  evidence: [evidence],
  suppressed: { reason: 'load test', rule: 0 },
  sources: [source, { actor: '198.51.100.8', count: 3, firstSeen: 1, lastSeen: 2 }],
  actorOwner: owner,
  targetOwner: { country: 'IE' },
};

describe("the API's Finding schema", () => {
  it('serialises a finding with every field set without dropping any', async () => {
    const app = Fastify();
    for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
    app.get(
      '/f',
      { schema: { response: { 200: { type: 'array', items: { $ref: 'Finding#' } } } } },
      async () => [finding],
    );
    const response = await app.inject({ method: 'GET', url: '/f' });
    await app.close();
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([JSON.parse(JSON.stringify(finding))]);
  });
});
