import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEMA_DIR, readSchemaSource } from '../../../scripts/bundleOcsfSchema.js';
import { resolveOcsfSchema, sortKeys } from './resolveSchema.js';
import { type OcsfProblem, validateOcsfEvent } from './validateOcsf.js';

/**
 * The facts these cases rest on, from the OCSF 1.3.0 source: Detection Finding is class 2004 (category
 * findings = 2, uid 4) and requires activity_id, category_uid, class_uid, finding_info (title, uid), metadata
 * (product with vendor_name and a name or uid, version), severity_id, time and type_uid; it defines no
 * src_endpoint; network_connection_info requires direction_id; cloud is added by the cloud profile.
 */

const minimalFinding = () => ({
  class_uid: 2004,
  category_uid: 2,
  activity_id: 1,
  type_uid: 200401,
  severity_id: 3,
  time: 1710115495000,
  metadata: { version: '1.3.0', product: { name: 'flowhawk', vendor_name: 'flowhawk' } },
  finding_info: { uid: 'f-1', title: 'Vertical port scan' },
});

const withEvidence = (evidence: Record<string, unknown>) => ({ ...minimalFinding(), evidences: [evidence] });

const paths = (problems: OcsfProblem[]) => problems.map((p) => p.path);

describe('validateOcsfEvent', () => {
  it('passes a minimal Detection Finding, and one with the usual captions and evidence', () => {
    expect(validateOcsfEvent(minimalFinding())).toEqual([]);
    const full = {
      ...withEvidence({
        src_endpoint: { ip: '203.0.113.7', port: 40401 },
        dst_endpoint: { ip: '2001:db8::1', port: 22 },
        connection_info: { direction_id: 1, direction: 'Inbound', protocol_num: 6 },
      }),
      class_name: 'Detection Finding',
      category_name: 'Findings',
      activity_name: 'Create',
      type_name: 'Detection Finding: Create',
      severity: 'Medium',
      observables: [
        { name: 'evidences.src_endpoint.ip', type_id: 2, type: 'IP Address', value: '203.0.113.7' },
      ],
    };
    expect(validateOcsfEvent(full)).toEqual([]);
  });

  it('refuses an attribute the class does not define (src_endpoint belongs in evidences)', () => {
    const problems = validateOcsfEvent({ ...minimalFinding(), src_endpoint: { ip: '203.0.113.7' } });
    expect(paths(problems)).toEqual(['src_endpoint']);
    expect(problems[0]?.message).toMatch(/not an attribute of class detection_finding/);
  });

  it('reports a missing required attribute, in the event and in a nested object', () => {
    const { finding_info: _, ...noInfo } = minimalFinding();
    expect(paths(validateOcsfEvent(noInfo))).toEqual(['finding_info']);
    const noDirection = validateOcsfEvent(withEvidence({ connection_info: { protocol_num: 6 } }));
    expect(noDirection).toEqual([
      {
        path: 'evidences[0].connection_info.direction_id',
        message: expect.stringMatching(/required.*missing/),
      },
    ]);
  });

  it('refuses an enum value the schema does not define, in the event and nested', () => {
    expect(paths(validateOcsfEvent({ ...minimalFinding(), severity_id: 7 }))).toEqual(['severity_id']);
    const nested = validateOcsfEvent(withEvidence({ connection_info: { direction_id: 4 } }));
    expect(paths(nested)).toEqual(['evidences[0].connection_info.direction_id']);
  });

  it('checks an _id against its caption sibling, except for 99 (Other)', () => {
    expect(paths(validateOcsfEvent({ ...minimalFinding(), severity: 'High' }))).toEqual(['severity']);
    expect(validateOcsfEvent({ ...minimalFinding(), severity_id: 99, severity: 'Sev-2' })).toEqual([]);
    expect(paths(validateOcsfEvent({ ...minimalFinding(), confidence_id: 3, confidence: 'Low' }))).toEqual([
      'confidence',
    ]);
  });

  it('refuses wrong types: a string for an integer, a scalar for an array, an out-of-range port', () => {
    expect(paths(validateOcsfEvent({ ...minimalFinding(), severity_id: '3' }))).toEqual(['severity_id']);
    expect(paths(validateOcsfEvent({ ...minimalFinding(), evidences: {} }))).toEqual(['evidences']);
    const port = validateOcsfEvent(withEvidence({ dst_endpoint: { ip: '10.0.0.1', port: 70000 } }));
    expect(port).toEqual([
      { path: 'evidences[0].dst_endpoint.port', message: expect.stringMatching(/range/) },
    ]);
  });

  it('refuses an unknown attribute inside a nested object', () => {
    const problems = validateOcsfEvent(
      withEvidence({ src_endpoint: { ip: '10.0.0.1', address: '10.0.0.1' } }),
    );
    expect(paths(problems)).toEqual(['evidences[0].src_endpoint.address']);
  });

  it('refuses a bad address in an ip_t', () => {
    for (const ip of ['300.1.2.3', '10.0.0', 'example.com']) {
      const problems = validateOcsfEvent(withEvidence({ src_endpoint: { ip } }));
      expect(paths(problems)).toEqual(['evidences[0].src_endpoint.ip']);
    }
  });

  it('accepts a profile attribute only when metadata.profiles names the profile', () => {
    const event = { ...minimalFinding(), cloud: { provider: 'AWS', region: 'us-east-1' } };
    const refused = validateOcsfEvent(event);
    expect(paths(refused)).toEqual(['cloud']);
    expect(refused[0]?.message).toMatch(/"cloud" profile/);
    const named = { ...event, metadata: { ...event.metadata, profiles: ['cloud'] } };
    expect(validateOcsfEvent(named)).toEqual([]);
    // the profile's required attribute (cloud) is required only once the profile is named
    const { cloud: _, ...without } = named;
    expect(paths(validateOcsfEvent(without))).toEqual(['cloud']);
  });

  it('accepts anything under unmapped', () => {
    const unmapped = { detector: 'portscan', sub_scores: { breadth: 0.4 }, sources: ['10.0.0.1'], n: null };
    expect(validateOcsfEvent({ ...minimalFinding(), unmapped })).toEqual([]);
  });

  it('checks type_uid and category_uid against the class', () => {
    expect(paths(validateOcsfEvent({ ...minimalFinding(), type_uid: 200402 }))).toEqual(['type_uid']);
    expect(paths(validateOcsfEvent({ ...minimalFinding(), category_uid: 4 }))).toEqual(['category_uid']);
  });

  it('reports an unknown class and stops there', () => {
    expect(paths(validateOcsfEvent({ ...minimalFinding(), class_uid: 2099 }))).toEqual(['class_uid']);
  });

  it('reports observables whose name points at no attribute of the class', () => {
    const observables = [{ name: 'src_endpoint.ip', type_id: 2, value: '10.0.0.1' }];
    expect(paths(validateOcsfEvent({ ...minimalFinding(), observables }))).toEqual(['observables[0].name']);
  });
});

const SCHEMA_DIR = [DEFAULT_SCHEMA_DIR, '/work/shared/data/ocsf-schema-1.3.0'].find((dir) => existsSync(dir));

// a plain clone (CI) has no schema source: the bundle is then taken as it is
describe.skipIf(SCHEMA_DIR === undefined)('the bundled ocsf-1.3.0.json', () => {
  it('is what the bundler makes of the schema source today', () => {
    const bundled = JSON.parse(readFileSync(new URL('./ocsf-1.3.0.json', import.meta.url), 'utf8'));
    expect(bundled).toEqual(sortKeys(resolveOcsfSchema(readSchemaSource(SCHEMA_DIR as string))));
  });
});
