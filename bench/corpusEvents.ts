/**
 * Traffic events of the synthetic estate. Each event emits every record AWS would log for it: both
 * directions, on each interface of the VPC it crosses, so east-west traffic appears four times and a
 * NAT gateway hop six times, as in real flow logs.
 */
import type { FileBuilder, RecordEvent } from './corpusRecords.js';
import type { Prng } from './prng.js';

type Event = RecordEvent;

const EPHEMERAL_LO = 32768;
const EPHEMERAL_HI = 60999;
const SCANNED_PORTS = [22, 23, 80, 443, 445, 3389, 8080, 8443, 5900, 1433, 3306, 6379, 9200, 25, 21];
const ephemeral = (b: FileBuilder): number => b.rng.range(EPHEMERAL_LO, EPHEMERAL_HI);

/** App tiers talking to databases, caches and each other inside the VPC; a bastion doing SSH. */
const eastWest: Event = (b) => {
  const { rng, fl } = b;
  const role = fl.byRole;
  const pick = rng.float();
  let client = b.any(role.app);
  let server = b.any(role.db);
  let port = rng.chance(0.7) ? 5432 : 3306;
  if (pick < 0.3) [server, port] = [b.any(role.cache), 6379];
  else if (pick < 0.55)
    [client, server, port] = [b.any(role.web), b.any(role.app), rng.chance(0.8) ? 443 : 80];
  else if (pick < 0.6) [client, server, port] = [b.any(role.bastion), b.any(fl.enis), 22];
  else if (pick < 0.7) client = b.any(role.batch);
  b.reset(false, '1');
  const sport = ephemeral(b);
  b.exchange(80, 1400);
  b.emit(client, true, client.ip4, server.ip4, sport, port);
  b.emit(server, false, client.ip4, server.ip4, sport, port);
  b.asResponse();
  b.emit(server, true, server.ip4, client.ip4, port, sport);
  b.emit(client, false, server.ip4, client.ip4, port, sport);
};

/** Internet clients (some over IPv6) on the public web tier. */
const inboundWeb: Event = (b) => {
  const { rng, world } = b;
  const web = b.any(b.fl.byRole.web);
  const v6 = web.ip6 !== undefined && rng.chance(0.3);
  const clients = v6 ? world.clients6 : world.clients4;
  const client = clients[rng.skewed(clients.length, 2)] ?? '-';
  const own = v6 ? (web.ip6 ?? web.ip4) : web.ip4;
  b.reset(v6, '8');
  const sport = rng.range(1024, 65535);
  const port = rng.chance(0.85) ? 443 : 80;
  b.exchange(400, 1450);
  b.emit(web, false, client, own, sport, port);
  b.asResponse();
  b.emit(web, true, own, client, port, sport);
};

/** Calls out to internet services, from the public tier directly or from private subnets via NAT. */
const outboundInternet: Event = (b) => {
  const { rng, world } = b;
  const role = b.fl.byRole;
  const peer = world.peers4[rng.skewed(world.peers4.length)] ?? '-';
  const port = rng.chance(0.8) ? 443 : 80;
  const sport = ephemeral(b);
  if (rng.chance(0.3)) {
    const web = b.any(role.web); // public subnet: straight out through the internet gateway
    b.reset(false, '8');
    b.exchange(300, 1450);
    b.emit(web, true, web.ip4, peer, sport, port);
    b.asResponse();
    b.emit(web, false, peer, web.ip4, port, sport);
    return;
  }
  // The NAT interface logs the instance leg with the real peer in pkt-dstaddr, then its own translated
  // leg, and the reverse for the response (AWS VPC User Guide, flow log record examples, NAT gateway).
  const inst = b.any(rng.chance(0.5) ? role.app : role.batch);
  const nat = b.any(role.nat);
  const natPort = rng.range(1024, 65535);
  b.reset(false, '1');
  b.exchange(300, 1450);
  b.emit(inst, true, inst.ip4, peer, sport, port);
  b.emit(nat, false, inst.ip4, nat.ip4, sport, port, inst.ip4, peer);
  b.r.path = '8';
  b.emit(nat, true, nat.ip4, peer, natPort, port);
  b.asResponse();
  b.emit(nat, false, peer, nat.ip4, port, natPort);
  b.r.path = '1';
  b.emit(nat, true, nat.ip4, inst.ip4, port, sport, peer, inst.ip4);
  b.emit(inst, false, peer, inst.ip4, port, sport);
};

/** S3 and DynamoDB through gateway endpoints; v5 records name the service in pkt-*-aws-service. */
const awsService: Event = (b) => {
  const { rng, fl, r } = b;
  const s3 = rng.chance(0.7);
  const inst = b.any(rng.chance(0.6) ? fl.byRole.batch : fl.byRole.app);
  const ip = s3 ? rng.pick(fl.s3) : rng.pick(fl.dynamodb);
  const svc = s3 ? 'S3' : 'DYNAMODB';
  b.reset(false, '7');
  const sport = ephemeral(b);
  b.exchange(s3 ? 900 : 200, s3 ? 1450 : 900);
  r.dstSvc = svc;
  b.emit(inst, true, inst.ip4, ip, sport, 443);
  b.asResponse();
  r.dstSvc = '-';
  r.srcSvc = svc;
  b.emit(inst, false, ip, inst.ip4, 443, sport);
};

/** Internet scanners probing exposed interfaces: single rejected SYNs (or UDP probes) on many ports. */
const scanner: Event = (b) => {
  const { rng, world, r } = b;
  const role = b.fl.byRole;
  const target = b.any(rng.chance(0.6) ? role.web : rng.chance(0.5) ? role.bastion : role.nat);
  const v6 = target.ip6 !== undefined && rng.chance(0.15);
  const src = (v6 ? rng.pick(world.scanners6) : world.scanners4[rng.skewed(world.scanners4.length)]) ?? '-';
  b.reset(v6, '-');
  r.action = 'REJECT';
  r.proto = rng.chance(0.9) ? 6 : 17;
  r.flags = r.proto === 6 ? 2 : 0;
  r.packets = rng.chance(0.8) ? 1 : rng.range(2, 3);
  r.bytes = r.packets * (v6 ? 80 : rng.pick([40, 44, 60]));
  r.start = b.windowStart + rng.int(240);
  r.end = r.start + rng.int(61);
  const port = rng.chance(0.6) ? rng.pick(SCANNED_PORTS) : rng.range(1, 65535);
  b.emit(target, false, src, v6 ? (target.ip6 ?? target.ip4) : target.ip4, rng.range(1024, 65535), port);
};

/** DNS / NTP over UDP and ICMP echo: no TCP flags, ICMP has port 0. */
const udpOrIcmp: Event = (b) => {
  const { rng, world, r } = b;
  const inst = b.any(rng.chance(0.5) ? b.fl.byRole.web : b.fl.byRole.nat);
  const peer = world.peers4[rng.skewed(world.peers4.length)] ?? '-';
  b.reset(false, '8');
  b.exchange(60, 500);
  const icmp = rng.chance(0.25);
  r.proto = icmp ? 1 : 17;
  r.flags = 0;
  r.packets = Math.min(r.packets, 40);
  r.bytes = r.packets * rng.range(60, 200);
  const sport = icmp ? 0 : ephemeral(b);
  const dport = icmp ? 0 : rng.chance(0.5) ? 53 : 123;
  b.emit(inst, true, inst.ip4, peer, sport, dport);
  b.emit(inst, false, peer, inst.ip4, dport, sport);
};

/** Outbound connections refused by security groups / NACLs (SMTP, IRC, odd ports). */
const rejectedEgress: Event = (b) => {
  const { rng, world, r } = b;
  const inst = b.any(b.fl.byRole.app);
  b.reset(false, '1');
  b.exchange(60, 100);
  r.action = 'REJECT';
  r.flags = 2;
  r.packets = rng.range(1, 3);
  r.bytes = r.packets * 60;
  const peer = world.peers4[rng.int(world.peers4.length)] ?? '-';
  b.emit(inst, true, inst.ip4, peer, ephemeral(b), rng.pick([25, 6667, 4444, 8333]));
};

/** Log-status records: an idle interface (NODATA) or records dropped by AWS (SKIPDATA). */
const logHealth: Event = (b) => {
  b.health(b.any(b.fl.enis), b.rng.chance(0.15) ? 'SKIPDATA' : 'NODATA');
};

/** Draws the next event; formats without log-status cannot carry NODATA/SKIPDATA records. */
function pickEvent(rng: Prng, hasStatus: boolean): Event {
  const p = rng.float();
  if (p < 0.4) return eastWest;
  if (p < 0.56) return inboundWeb;
  if (p < 0.68) return outboundInternet;
  if (p < 0.82) return awsService;
  if (p < 0.935) return scanner;
  if (p < 0.975) return udpOrIcmp;
  if (p < 0.997 || !hasStatus) return rejectedEgress;
  return logHealth;
}

/** The realistic mix: each call draws one event and emits its records (the realistic corpus's `next`). */
export const realisticEvent: RecordEvent = (b) => pickEvent(b.rng, b.fl.format !== 'v5-noaction')(b);
