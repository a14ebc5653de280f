import { type DetectorScenario, timedCalls } from './detectorScenarios.js';
import { FlowBuilder, HTTP_GET } from './flowBuilder.js';

/**
 * Scenarios for the modes of a detector whose roles differ from its main scenario's
 * (detectorScenarios.ts): an inbound check-in names the internet host as actor, a completed-connection
 * flood names clients that completed every handshake, a dead C2's retries name the caller of a
 * server that never answers. test/roles.test.ts holds each to the same actor, target, OCSF and ASFF
 * checks as the main scenarios; test/clickhouseDifferential.test.ts runs them on both engines.
 */

const T = 1_699_920_000;

/** the internet clients of a GET flood, busiest (most connections, so most packets) first */
const GET_FLOODERS = ['203.0.113.91', '198.51.100.92', '192.0.2.93', '203.0.113.94'];

export const MODE_SCENARIOS: readonly DetectorScenario[] = [
  {
    detector: 'beacon',
    description:
      'inbound: an internet implant checks in to a C2 server on our host every minute for four hours',
    records: timedCalls('198.51.100.110', '10.0.1.53', 8001, 240, { out: 398, in: 536 }),
    actor: '198.51.100.110',
    target: '10.0.1.53',
  },
  {
    detector: 'beacon',
    description: 'retries: our host calls a refused C2 every 5 s, 60 times',
    records: new FlowBuilder().repeat(60, 5, T, (_, at) => ({
      client: '10.0.1.61',
      server: '203.0.113.98',
      port: 443,
      at,
      outcome: 'refused',
    })),
    actor: '10.0.1.61',
    target: '203.0.113.98',
  },
  {
    detector: 'flood',
    description:
      'completed connections: four internet hosts complete 120 HTTP GETs a second on our web server',
    records: new FlowBuilder().repeat(7200, 1 / 120, T, (i, at) => ({
      // shares 4:3:2:1, so the busiest is first by any measure
      client: GET_FLOODERS[[0, 0, 0, 0, 1, 1, 1, 2, 2, 3][i % 10] as number] as string,
      server: '10.0.1.51',
      port: 80,
      at,
      ...HTTP_GET,
    })),
    actor: GET_FLOODERS[0] as string,
    target: '10.0.1.51',
    sources: GET_FLOODERS,
  },
  {
    detector: 'dos',
    description: 'completed connections: our host completes 300 HTTP GETs a second to an internet host',
    records: new FlowBuilder().repeat(18_000, 1 / 300, T, (_, at) => ({
      client: '10.0.1.5',
      server: '203.0.113.80',
      port: 80,
      at,
      ...HTTP_GET,
      interfaces: ['eni-bot'],
    })),
    actor: '10.0.1.5',
    target: '203.0.113.80',
  },
];
