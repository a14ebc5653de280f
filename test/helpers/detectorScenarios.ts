import { type Connection, FlowBuilder, threatListsConfig } from './flowBuilder.js';

/**
 * One small synthetic scenario per detector of the catalogue, built to trigger it, with who should be
 * named: the actor is who initiates or does the bad thing (scanner, brute-forcer, beaconing or
 * exfiltrating host, a flood's busiest sender); the target is who it is done to (a flood's victim, an
 * exposed server), null when many hosts are. Internet hosts are documentation addresses (RFC 5737),
 * ours are 10.x. Used by test/roles.test.ts.
 */
export interface DetectorScenario {
  detector: string;
  description: string;
  records: FlowBuilder;
  /** the scan's config (threat lists are files, hence async) */
  config?: () => Promise<unknown>;
  actor: string;
  target: string | null;
  /** a finding with many senders: every sender planted, all of which its `sources` must name */
  sources?: readonly string[];
}

/** Midnight UTC, 14 November 2023: minute, hour and day windows start on it. */
const T = 1_699_920_000;
const HOUR = 3600;
const DAY = 86_400;
const MB = 1_000_000;

/** the i-th of `n` internal hosts from 10.0.<subnet>.1 */
const hosts = (subnet: number, n: number) => Array.from({ length: n }, (_, i) => `10.0.${subnet}.${i + 1}`);

/** one connection to each of `servers`, `every` seconds apart */
const fanOut = (servers: readonly string[], every: number, c: Omit<Connection, 'server' | 'at'>) =>
  new FlowBuilder().repeat(servers.length, every, T, (i, at) => ({ ...c, server: servers[i] as string, at }));

/** a flood's senders: the first sends four connections in ten, the others one each */
const FLOODERS = [
  '203.0.113.66',
  '198.51.100.31',
  '198.51.100.32',
  '198.51.100.33',
  '192.0.2.41',
  '192.0.2.42',
  '192.0.2.43',
];
const flooder = (i: number) => FLOODERS[i % 10 < 4 ? 0 : (i % 10) - 3] as string;

/** the internet clients an exposed SSH server answered, busiest (most packets sent) first */
const SSH_CLIENTS = ['198.51.100.8', '192.0.2.9', '203.0.113.10'];

/**
 * A beacon: `calls` calls from client to server:port every 60 s ± 10% (a fixed pseudo-random spread),
 * small alike payloads around `sizes`.
 */
export function timedCalls(
  client: string,
  server: string,
  port: number,
  calls: number,
  sizes = { out: 620, in: 1840 },
): FlowBuilder {
  const flows = new FlowBuilder();
  let at = T;
  for (let i = 0; i < calls; i++) {
    flows.tcp({
      client,
      server,
      port,
      at,
      outPackets: 6,
      outBytes: sizes.out + (i % 4) * 8,
      inPackets: 5,
      inBytes: sizes.in + (i % 3) * 16,
    });
    at += 60 * (0.9 + 0.2 * ((i * 0.618_034) % 1));
  }
  return flows;
}

const implant = (calls: number) => timedCalls('10.0.1.20', '198.51.100.7', 8001, calls);

/** eight days of hourly HTTPS from a web server, then three calls out on a port it never used */
function newPort(): FlowBuilder {
  const from = T - 8 * DAY;
  const log = { interfaces: ['eni-web'] };
  return new FlowBuilder()
    .repeat(9 * 24, HOUR, from, (_, at) => ({
      client: '10.0.1.10',
      server: '198.51.100.80',
      port: 443,
      at,
      ...log,
    }))
    .repeat(3, 600, from + 8 * DAY + 10 * HOUR, (_, at) => ({
      client: '10.0.1.10',
      server: '203.0.113.66',
      port: 4444,
      at,
      ...log,
    }));
}

/** an interface logging steadily for twelve hours, six of whose 10-minute windows AWS skipped */
function skipped(): FlowBuilder {
  const flows = new FlowBuilder().repeat(144, 300, T, (i, at) => ({
    client: `198.51.100.${(i % 200) + 1}`,
    server: '10.0.1.10',
    port: 443,
    at,
    serverInterface: 'eni-web',
  }));
  for (let w = 0; w < 6; w++)
    flows.health({ interface: 'eni-web', status: 'SKIPDATA', at: T + 3 * HOUR + w * 600 });
  return flows;
}

export const SCENARIOS: readonly DetectorScenario[] = [
  {
    detector: 'portscan',
    description: 'an internet host tries 200 ports of one of our servers, every probe rejected',
    records: new FlowBuilder().repeat(200, 0.5, T, (i, at) => ({
      client: '203.0.113.9',
      server: '10.0.1.10',
      port: i + 1,
      at,
      outcome: 'rejected',
    })),
    actor: '203.0.113.9',
    target: '10.0.1.10',
  },
  {
    detector: 'portsweep',
    description: 'an internal host probes SMB on 100 internal hosts that refuse or drop it',
    records: fanOut(hosts(3, 100), 0.2, { client: '10.0.2.7', port: 445, outcome: 'refused' }),
    actor: '10.0.2.7',
    target: null,
  },
  {
    detector: 'pingsweep',
    description: 'an internet host pings 60 of our hosts, the security groups rejecting it',
    records: new FlowBuilder().repeat(60, 1, T, (i, at) => ({
      client: '203.0.113.77',
      server: `10.0.4.${i + 1}`,
      port: 0,
      clientPort: 0,
      protocol: 1,
      at,
      outcome: 'rejected',
    })),
    actor: '203.0.113.77',
    target: null,
  },
  {
    detector: 'probe',
    description: 'an internet host comes back 8 times to a database port that answers a customer',
    records: new FlowBuilder()
      .tcp({ client: '198.51.100.7', server: '10.0.1.20', port: 6379, at: T })
      .repeat(8, 60, T, (_, at) => ({
        client: '203.0.113.50',
        server: '10.0.1.20',
        port: 6379,
        at,
        outcome: 'refused',
      })),
    actor: '203.0.113.50',
    target: '10.0.1.20',
  },
  {
    detector: 'bruteforce',
    description: 'an internet host makes 40 short SSH login attempts, 3 s apart',
    records: new FlowBuilder().repeat(40, 3, T, (i, at) => ({
      client: '203.0.113.50',
      server: '10.0.1.10',
      port: 22,
      at,
      duration: 4,
      outPackets: 18,
      outBytes: 2600 + (i % 5) * 40,
      inPackets: 16,
      inBytes: 3400 + (i % 3) * 30,
    })),
    actor: '203.0.113.50',
    target: '10.0.1.10',
  },
  {
    detector: 'exposure',
    description: 'our SSH server answers three internet clients, one far busier than the others',
    records: new FlowBuilder().repeat(5, 60, T, (i, at) => ({
      client: SSH_CLIENTS[Math.max(0, i - 2)] as string,
      server: '10.0.1.21',
      port: 22,
      at,
      outPackets: i < 3 ? 40 : 10 - i,
    })),
    actor: SSH_CLIENTS[0] as string,
    target: '10.0.1.21',
    sources: SSH_CLIENTS,
  },
  {
    detector: 'lateral',
    description: 'an internal host reaches SMB on 25 internal hosts within 5 minutes',
    records: fanOut(hosts(20, 25), 12, {
      client: '10.0.5.5',
      port: 445,
      interfaces: ['eni-client', 'eni-server'],
    }),
    actor: '10.0.5.5',
    target: null,
  },
  {
    detector: 'beacon',
    description: 'an implant calls an internet server every minute ± 10% for four hours',
    records: implant(240),
    actor: '10.0.1.20',
    target: '198.51.100.7',
  },
  {
    detector: 'longconn',
    description: 'our host holds a keystroke-sized TCP session to an internet host on port 4444 for 3 hours',
    records: new FlowBuilder().session({
      client: '10.0.1.20',
      server: '198.51.100.7',
      port: 4444,
      at: T,
      duration: 3 * HOUR,
      outPackets: 120,
      outBytes: 9000,
      inPackets: 110,
      inBytes: 22_000,
    }),
    actor: '10.0.1.20',
    target: '198.51.100.7',
  },
  {
    detector: 'threatintel',
    description: 'our host connects six times to an address on a C2 threat list',
    records: new FlowBuilder().repeat(6, 60, T, (_, at) => ({
      client: '10.0.1.5',
      server: '198.51.100.66',
      port: 443,
      at,
    })),
    config: () => threatListsConfig([{ name: 'feodo', kind: 'c2', entries: ['198.51.100.66'] }]),
    actor: '10.0.1.5',
    target: '198.51.100.66',
  },
  {
    detector: 'dos',
    description: 'our host sends an internet host 200 unanswered SYNs a second for a minute',
    records: new FlowBuilder().repeat(12_000, 1 / 200, T, (_, at) => ({
      client: '10.0.1.5',
      server: '203.0.113.80',
      port: 80,
      at,
      outcome: 'dropped',
      interfaces: ['eni-bot'],
    })),
    actor: '10.0.1.5',
    target: '203.0.113.80',
  },
  {
    detector: 'flood',
    description:
      'seven internet hosts leave 150 half-open connections a second on our web server for a minute',
    records: new FlowBuilder().repeat(9000, 1 / 150, T, (i, at) => ({
      client: flooder(i),
      server: '10.0.1.10',
      port: 443,
      at,
      outcome: 'dropped',
    })),
    actor: FLOODERS[0] as string,
    target: '10.0.1.10',
    sources: FLOODERS,
  },
  {
    detector: 'exfil',
    description: 'a host with no history uploads 1.2 GB to an internet host within an hour',
    records: new FlowBuilder().repeat(10, 300, T + HOUR, (_, at) => ({
      client: '10.0.1.5',
      server: '203.0.113.50',
      port: 443,
      at,
      duration: 290,
      outPackets: Math.ceil((120 * MB) / 1400),
      outBytes: 120 * MB,
      inPackets: 2000,
      inBytes: 200_000,
      interfaces: ['eni-host'],
    })),
    actor: '10.0.1.5',
    target: '203.0.113.50',
  },
  {
    detector: 'mining',
    description: 'our host holds a two-hour session to a Stratum pool port',
    records: new FlowBuilder().tcp({
      client: '10.0.1.5',
      server: '198.51.100.20',
      port: 3333,
      at: T,
      duration: 7200,
    }),
    actor: '10.0.1.5',
    target: '198.51.100.20',
  },
  {
    detector: 'spam',
    description: 'our host delivers SMTP to 60 internet mail servers in 10 minutes, a third refused',
    records: new FlowBuilder().repeat(60, 10, T, (i, at) => ({
      client: '10.0.1.5',
      server: `198.51.100.${i + 1}`,
      port: 25,
      at,
      outcome: i % 3 === 0 ? 'refused' : 'open',
    })),
    actor: '10.0.1.5',
    target: null,
  },
  {
    detector: 'resolver',
    description: 'our host sends 30 plain DNS queries to an unknown internet resolver',
    records: new FlowBuilder().repeat(30, 1, T, (_, at) => ({
      client: '10.0.1.5',
      server: '203.0.113.53',
      port: 53,
      protocol: 17,
      at,
      outPackets: 1,
      outBytes: 70,
      inPackets: 1,
      inBytes: 120,
    })),
    actor: '10.0.1.5',
    target: '203.0.113.53',
  },
  {
    detector: 'unusualport',
    description: 'a web server that used only 443 for eight days connects out on 4444',
    records: newPort(),
    actor: '10.0.1.10',
    target: '203.0.113.66',
  },
  {
    detector: 'loghealth',
    description: 'AWS skips six 10-minute windows of a steadily logging interface (SKIPDATA)',
    records: skipped(),
    actor: 'eni-web',
    target: null,
  },
];
