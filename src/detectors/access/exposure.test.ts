import { describe, expect, it } from 'vitest';
import { BARE_FIELDS, FlowBuilder, findingsOf, scanBuilt } from '../../../test/helpers/flowBuilder.js';
import exposure from './exposure.js';

const T = 1_700_000_000;
const run = (flows: FlowBuilder) => scanBuilt(flows, { detectors: [exposure] });

describe('exposure', () => {
  it('rates high a Redis server that answered an internet client, medium an SSH server', async () => {
    const flows = new FlowBuilder()
      .tcp({ client: '198.51.100.7', server: '10.0.1.20', port: 6379, at: T })
      .tcp({ client: '198.51.100.8', server: '10.0.1.21', port: 22, at: T })
      .tcp({ client: '198.51.100.9', server: '10.0.1.21', port: 22, at: T + 60 });
    const found = findingsOf(await run(flows), 'exposure');
    // the exposed server is the target; the internet clients it answered are the actors
    expect(found.map((f) => [f.target, f.actor, f.severity, f.metrics.internetClients])).toEqual([
      ['10.0.1.20', '198.51.100.7', 'high', 1],
      ['10.0.1.21', '198.51.100.8', 'medium', 2],
    ]);
    expect(found[1]?.sources?.map((s) => [s.actor, s.count])).toEqual([
      ['198.51.100.8', 1],
      ['198.51.100.9', 1],
    ]);
    expect(found[1]?.explanation).toMatch(
      /Busiest sources: 198\.51\.100\.8 \(\d+ packets\), 198\.51\.100\.9/,
    );
    expect(found[1]?.evidence.map((r) => r.srcAddr)).toEqual(['198.51.100.8', '198.51.100.9']);
  });

  it("shows the internet clients' records as proof, not the internal admins' of the same service", async () => {
    const flows = new FlowBuilder()
      .repeat(12, 10, T, (_, at) => ({ client: '10.0.2.5', server: '10.0.1.21', port: 22, at }))
      .tcp({ client: '198.51.100.8', server: '10.0.1.21', port: 22, at: T + 600 });
    const [finding] = findingsOf(await run(flows), 'exposure');
    expect(finding?.metrics.internetClients).toBe(1);
    // the internal admin is no source of the exposure either
    expect(finding?.sources?.map((s) => s.actor)).toEqual(['198.51.100.8']);
    expect(finding?.evidence.map((r) => r.srcAddr)).toEqual(['198.51.100.8']);
  });

  it('does not call a service exposed when the security group rejects the internet', async () => {
    const flows = new FlowBuilder().repeat(50, 10, T, (i, at) => ({
      client: `203.0.113.${i}`,
      server: '10.0.1.20',
      port: 3306,
      at,
      outcome: 'rejected',
    }));
    expect(findingsOf(await run(flows), 'exposure')).toHaveLength(0);
  });

  it('ignores internal clients of a database and internet clients of a web server', async () => {
    const flows = new FlowBuilder()
      .repeat(20, 10, T, (_, at) => ({ client: '10.0.2.5', server: '10.0.1.20', port: 5432, at }))
      .repeat(20, 10, T, (i, at) => ({ client: `198.51.100.${i}`, server: '10.0.1.10', port: 443, at }));
    expect(findingsOf(await run(flows), 'exposure')).toHaveLength(0);
  });
});

describe('exposure without optional fields', () => {
  it('still sees an answered SSH server without tcp-flags and action, at lower confidence, saying why', async () => {
    const flows = new FlowBuilder().tcp({ client: '198.51.100.8', server: '10.0.1.21', port: 22, at: T });
    const fields = BARE_FIELDS;
    const [finding] = findingsOf(await scanBuilt(flows, { detectors: [exposure], fields }), 'exposure');
    expect(finding).toMatchObject({ actor: '198.51.100.8', target: '10.0.1.21', severity: 'medium' });
    expect(finding?.confidence).toBeLessThan(0.85);
    expect(finding?.limitations).toHaveLength(2);
  });
});
