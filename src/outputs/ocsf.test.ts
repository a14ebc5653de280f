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
  it('maps severity, confidence, times in ms, and the endpoints', () => {
    const o = ocsfFinding(base, '0.1.0');
    expect(o).toMatchObject({
      class_uid: 2004,
      type_uid: 200401,
      severity_id: 4,
      confidence_id: 3,
      confidence_score: 90,
      time: 1700000060500,
      src_endpoint: { ip: '10.0.0.5' },
      dst_endpoint: { ip: '2001:db8::1' },
      finding_info: {
        first_seen_time: 1700000000000,
        types: ['portscan'],
        attacks: [{ technique: { uid: 'T1046' } }],
      },
    });
  });

  it('names an interface as the resource, not as an endpoint IP', () => {
    const o = ocsfFinding({ ...base, actor: 'eni-0abc', target: null, severity: 'info' }, '0.1.0');
    expect(o).not.toHaveProperty('src_endpoint');
    expect(o).not.toHaveProperty('dst_endpoint');
    expect(o).toMatchObject({
      severity_id: 1,
      resources: [{ uid: 'eni-0abc', type: 'AWS::EC2::NetworkInterface' }],
    });
  });
});
