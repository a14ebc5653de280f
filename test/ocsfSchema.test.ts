import { describe, expect, it } from 'vitest';
import { validateOcsfEvent } from '../src/outputs/ocsfSchema/validateOcsf.js';
import { flowhawk } from './helpers/cli.js';

/**
 * The OCSF output checked against the OCSF 1.3.0 schema (bundled in src/outputs/ocsfSchema): every
 * attribute defined for its class or object and named profile, required ones present, enums and types
 * valid. The per-detector scenarios are checked in test/roles.test.ts.
 */
describe('OCSF output of the bundled examples', () => {
  it('is valid OCSF 1.3.0: zero problems in every event', () => {
    const { code, stdout } = flowhawk('scan', 'examples/', '--format', 'ocsf', '-q');
    expect(code).toBe(0);
    const events = JSON.parse(stdout) as unknown[];
    expect(events.length).toBeGreaterThanOrEqual(8);
    const problems = events.flatMap((event, i) =>
      validateOcsfEvent(event).map((p) => `event ${i}: ${p.path}: ${p.message}`),
    );
    expect(problems).toEqual([]);
    // and the check can fail: the first evidence without its direction, an endpoint on the finding
    const broken = structuredClone(events[0]) as {
      evidences: { connection_info: Record<string, unknown> }[];
      src_endpoint?: unknown;
    };
    delete broken.evidences[0]?.connection_info.direction_id;
    broken.src_endpoint = { ip: '192.0.2.1' };
    expect(validateOcsfEvent(broken).map((p) => p.path)).toEqual(
      expect.arrayContaining(['evidences[0].connection_info.direction_id', 'src_endpoint']),
    );
  });
});
