import { describe, expect, it } from 'vitest';
import type { Finding } from '../finding.js';
import { ocsfFinding } from './ocsf.js';

const base: Finding = {
  id: '0123456789abcdef',
  detector: 'portscan',
  title: 'Vertical port scan',
  severity: 'high',
  confidence: 0.9,
  actor: '10.0.0.5',
  target: '2001:db8::1',
  targetCount: 1,
  direction: 'internal',
  attack: ['T1046'],
  firstSeen: 1700000000,
  lastSeen: 1700000060.5,
  count: 3,
  explanation: 'x',
  subScores: {},
  metrics: {},
  limitations: [],
  evidence: [],
};

describe('OCSF Detection Finding', () => {
  it('maps severity, confidence, times in ms; the endpoints go in the first evidence, not on the finding', () => {
    const o = ocsfFinding(base, '0.1.0');
    expect(o).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      confidence_id: 3,
      confidence: 'High',
      confidence_score: 90,
      time: 1700000060500,
      finding_info: {
        first_seen_time: 1700000000000,
        types: ['portscan'],
        attacks: [{ technique: { uid: 'T1046' } }],
      },
    });
    expect(o).not.toHaveProperty('src_endpoint');
    expect(o).not.toHaveProperty('dst_endpoint');
    expect(o.evidences[0]).toMatchObject({
      src_endpoint: { ip: '10.0.0.5' },
      dst_endpoint: { ip: '2001:db8::1' },
      connection_info: { direction_id: 3, direction: 'Lateral' },
    });
    // both ends are ours (internal): both are affected resources; both are observables
    expect(o.resources?.map((r) => r.uid)).toEqual(['10.0.0.5', '2001:db8::1']);
    expect(o.observables.map((x) => [x.name, x.value])).toEqual([
      ['evidences.src_endpoint.ip', '10.0.0.5'],
      ['evidences.dst_endpoint.ip', '2001:db8::1'],
    ]);
  });

  it('names a sub-technique with its technique', () => {
    const o = ocsfFinding({ ...base, attack: ['T1498.001'] }, '0.1.0');
    expect(o.finding_info.attacks).toEqual([
      { technique: { uid: 'T1498' }, sub_technique: { uid: 'T1498.001' }, version: '15.1' },
    ]);
  });

  it('puts what is known of an internet address on its endpoint: AS, country, AWS service', () => {
    const o = ocsfFinding(
      {
        ...base,
        actor: '198.51.100.7',
        target: '10.0.1.20',
        direction: 'inbound',
        actorOwner: { asn: 64500, asOrg: 'Example Hosting', country: 'NL' },
      },
      '0.1.0',
    );
    expect(o.evidences[0]?.src_endpoint).toEqual({
      ip: '198.51.100.7',
      autonomous_system: { number: 64500, name: 'Example Hosting' },
      location: { country: 'NL' },
    });
    // inbound: only the target is ours
    expect(o.resources?.map((r) => r.uid)).toEqual(['10.0.1.20']);
  });

  it('names an interface as the resource, not as an endpoint IP', () => {
    const o = ocsfFinding({ ...base, actor: 'eni-0abc', target: null, severity: 'info' }, '0.1.0');
    expect(o.evidences).toEqual([]);
    expect(o).toMatchObject({
      severity_id: 1,
      resources: [{ uid: 'eni-0abc', type: 'AWS::EC2::NetworkInterface' }],
      observables: [{ name: 'resources.uid', type_id: 10, value: 'eni-0abc' }],
    });
  });
});
