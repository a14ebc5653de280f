import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { convertPcap } from '../pcap/convert.js';
import { checkPlan, inCidr } from '../pcap/plan.js';
import { CAPTURES_DIR, loadScenarios, type Scenario } from './scenarios.js';

/** The labels must speak of the addresses the plan put in the flow log, or the eval scores nothing. */
describe('real-traffic scenarios', () => {
  const scenarios = loadScenarios();

  it('are found, each with its converted flow log', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(2);
    for (const s of scenarios) expect(existsSync(s.file), s.file).toBe(true);
  });

  it.each(scenarios.map((s) => [s.name]))(
    '%s: labels name planned addresses, the VPC holds its hosts',
    (name) => {
      const raw = JSON.parse(readFileSync(join(CAPTURES_DIR, name, 'scenario.json'), 'utf8')) as {
        plan: unknown;
      };
      const plan = checkPlan(raw.plan);
      const scenario = scenarios.find((s) => s.name === name);
      const planned = new Set([...plan.hosts.map((h) => h.address), ...Object.values(plan.others ?? {})]);
      const named = [
        ...(scenario?.attacks ?? []).flatMap((a) => [a.actor, ...(a.target ? [a.target] : [])]),
        ...(scenario?.benign ?? []),
        ...(scenario?.monitoredHost ? [scenario.monitoredHost] : []),
      ];
      for (const address of named) expect(planned, `${name}: ${address}`).toContain(address);
      for (const host of plan.hosts) {
        expect(
          plan.vpcCidrs.some((c) => inCidr(host.address, c)),
          host.address,
        ).toBe(true);
      }
      expect((scenario?.attacks.length ?? 0) + (scenario?.benign.length ?? 0)).toBeGreaterThan(0);
    },
  );
});

/** The flow logs the eval reads are what the converter makes of the captures kept beside them. */
describe('real-traffic flow logs re-made from their captures', () => {
  // a scenario may see another's capture through its own plan (captureFrom)
  const capture = (s: Scenario) => join(CAPTURES_DIR, s.captureFrom ?? s.name, 'capture.pcap.gz');
  const kept = loadScenarios().filter((s) => existsSync(capture(s)));

  it('most scenarios keep their capture (those under 1 MB gzipped)', () => {
    expect(kept.length).toBeGreaterThanOrEqual(5);
  });

  it.each(kept.map((s) => [s.name, s] as const))(
    '%s: flows.log.gz is the conversion of its capture',
    async (name, s) => {
      const dir = join(CAPTURES_DIR, name);
      const { text } = await convertPcap(capture(s), join(dir, 'scenario.json'));
      expect(text).toBe(gunzipSync(readFileSync(join(dir, 'flows.log.gz'))).toString('utf8'));
    },
  );
});
