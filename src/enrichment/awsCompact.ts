import { deflateRawSync } from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { FlowhawkError } from '../errors.js';

/** AWS's ip-ranges.json, the fields flowhawk reads. */
export interface AwsIpRangesFile {
  syncToken: string;
  createDate: string;
  prefixes: { ip_prefix: string; region: string; service: string; network_border_group?: string }[];
  ipv6_prefixes: { ipv6_prefix: string; region: string; service: string; network_border_group?: string }[];
}

/**
 * What flowhawk bundles and `update-data` stores: each address in exactly one range, the range's owner
 * already decided (see `compactAwsRanges`). `owners` is `service,region,network_border_group` entries
 * joined by `;`; `ipv4`/`ipv6` are base64 of the raw-deflated tables (see `packTable`).
 */
export interface CompactAwsRanges {
  format: typeof COMPACT_FORMAT;
  source: string;
  syncToken: string;
  createDate: string;
  owners: string;
  ipv4: string;
  ipv6: string;
}

export const COMPACT_FORMAT = 'flowhawk-aws-ip-ranges/1';

/** The catch-all service AWS lists every range under, besides the specific service (if any). */
const CATCH_ALL = 'AMAZON';

/** AWS's createDate layout, `YYYY-MM-DD-hh-mm-ss` in UTC. */
const CREATE_DATE = /^(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})$/;

/**
 * Checks that `json` has the shape of AWS's ip-ranges.json; `where` (a file or URL) goes in the error
 * so the user knows which download or file to look at.
 */
export function parseAwsIpRanges(json: unknown, where: string): AwsIpRangesFile {
  const fail = (what: string) =>
    new FlowhawkError(
      'ENRICHMENT_DATA',
      `${where} is not AWS's ip-ranges.json: ${what}`,
      'check the URL or file; AWS publishes the file at https://ip-ranges.amazonaws.com/ip-ranges.json',
    );
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw fail('not a JSON object');
  const file = json as Record<string, unknown>;
  if (typeof file.syncToken !== 'string' || !/^\d+$/.test(file.syncToken)) {
    throw fail('no numeric "syncToken"');
  }
  if (typeof file.createDate !== 'string' || !CREATE_DATE.test(file.createDate)) {
    throw fail('no "createDate" of the form YYYY-MM-DD-hh-mm-ss');
  }
  if (!Array.isArray(file.prefixes) || file.prefixes.length === 0) throw fail('no "prefixes" list');
  if (file.ipv6_prefixes !== undefined && !Array.isArray(file.ipv6_prefixes)) {
    throw fail('"ipv6_prefixes" is not a list');
  }
  checkEntries(file.prefixes, 'prefixes', 'ip_prefix', 'ipv4', fail);
  checkEntries(file.ipv6_prefixes ?? [], 'ipv6_prefixes', 'ipv6_prefix', 'ipv6', fail);
  return { ...(file as unknown as AwsIpRangesFile), ipv6_prefixes: (file.ipv6_prefixes as never) ?? [] };
}

function checkEntries(
  entries: unknown[],
  list: string,
  field: string,
  kind: 'ipv4' | 'ipv6',
  fail: (what: string) => Error,
): void {
  entries.forEach((entry, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const prefix = e[field];
    if (typeof prefix !== 'string' || !isCidr(prefix, kind)) {
      throw fail(`${list}[${i}] has no ${kind.toUpperCase()} "${field}" (found ${JSON.stringify(prefix)})`);
    }
    if (typeof e.service !== 'string' || typeof e.region !== 'string') {
      throw fail(`${list}[${i}] (${prefix}) has no "service" or "region"`);
    }
  });
}

function isCidr(text: string, kind: 'ipv4' | 'ipv6'): boolean {
  try {
    return ipaddr.parseCIDR(text)[0].kind() === kind;
  } catch {
    return false;
  }
}

/** AWS's createDate as an ISO 8601 timestamp. */
export function awsCreateDateIso(createDate: string): string {
  const m = CREATE_DATE.exec(createDate);
  if (!m) throw new Error(`not an AWS createDate: ${createDate}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`;
}

/** One listed prefix as a range of addresses (bigint, so IPv4 and IPv6 share the code). */
interface Listed {
  start: bigint;
  end: bigint;
  bits: number;
  service: string;
  owner: string;
}

/**
 * Resolves AWS's overlapping listings into one owner per address and packs the result. AWS lists a
 * range under AMAZON and again under the service using it, and nests ranges (an EC2 /16 inside an
 * AMAZON /11, an AMAZON /24 inside an S3 /16). The owner of an address is, among the prefixes holding
 * it: a specific service before AMAZON (AMAZON only says "some AWS service"); then the longest prefix;
 * then, for the same prefix under two services (EC2 and S3 list 500 of the same ranges), the service
 * with fewer addresses of that family in the file, since the narrower service is the more telling answer.
 */
export function compactAwsRanges(file: AwsIpRangesFile, source: string): CompactAwsRanges {
  const v4 = file.prefixes.map((p) => listed(p.ip_prefix, p.service, p.region, p.network_border_group));
  const v6 = file.ipv6_prefixes.map((p) =>
    listed(p.ipv6_prefix, p.service, p.region, p.network_border_group),
  );
  const owners: string[] = [];
  const ownerIndex = new Map<string, number>();
  const indexOf = (owner: string) => {
    let i = ownerIndex.get(owner);
    if (i === undefined) {
      i = owners.push(owner) - 1;
      ownerIndex.set(owner, i);
    }
    return i;
  };
  const pack = (entries: Listed[], width: 1 | 4) =>
    packTable(
      resolveOwners(entries, footprints(entries)).map((s) => ({ ...s, value: indexOf(s.owner) })),
      width,
    );
  const ipv4 = pack(v4, 1);
  const ipv6 = pack(v6, 4);
  return {
    format: COMPACT_FORMAT,
    source,
    syncToken: file.syncToken,
    createDate: file.createDate,
    owners: owners.join(';'),
    ipv4,
    ipv6,
  };
}

function listed(prefix: string, service: string, region: string, borderGroup: string | undefined): Listed {
  const [address, bits] = ipaddr.parseCIDR(prefix);
  const bytes = address.toByteArray();
  const total = bytes.length * 8;
  const value = bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
  const hostMask = (1n << BigInt(total - bits)) - 1n;
  const start = value & ~hostMask;
  const owner = [service, region, borderGroup ?? region].map((f) => f.replace(/[;,]/g, '_')).join(',');
  return { start, end: start | hostMask, bits, service, owner };
}

/**
 * Addresses each service holds in one family (the tie-break of the priority); per family because a
 * single IPv6 /40 outweighs all of IPv4.
 */
function footprints(entries: Listed[]): Map<string, bigint> {
  const sizes = new Map<string, bigint>();
  for (const e of entries) sizes.set(e.service, (sizes.get(e.service) ?? 0n) + e.end - e.start + 1n);
  return sizes;
}

/** Whether `a` should own the addresses it shares with `b`. */
function outranks(a: Listed, b: Listed, sizes: Map<string, bigint>): boolean {
  if ((a.service === CATCH_ALL) !== (b.service === CATCH_ALL)) return b.service === CATCH_ALL;
  if (a.bits !== b.bits) return a.bits > b.bits;
  const sa = sizes.get(a.service) ?? 0n;
  const sb = sizes.get(b.service) ?? 0n;
  if (sa !== sb) return sa < sb;
  return a.owner < b.owner;
}

interface Segment {
  start: bigint;
  end: bigint;
  owner: string;
}

/**
 * Disjoint segments covering what the prefixes cover, each with its owner. CIDR prefixes either nest
 * or are disjoint, so one pass in (start, widest first) order with a stack of the enclosing prefixes
 * suffices; each stack entry carries the winner among itself and its ancestors.
 */
function resolveOwners(entries: Listed[], sizes: Map<string, bigint>): Segment[] {
  const sorted = [...entries].sort((a, b) =>
    a.start !== b.start ? (a.start < b.start ? -1 : 1) : a.bits - b.bits,
  );
  const out: Segment[] = [];
  const emit = (start: bigint, end: bigint, owner: string) => {
    if (start > end) return;
    const last = out[out.length - 1];
    if (last && last.owner === owner && last.end + 1n === start) last.end = end;
    else out.push({ start, end, owner });
  };
  const stack: { end: bigint; winner: Listed }[] = [];
  let cursor = 0n;
  const close = () => {
    const top = stack.pop();
    if (!top) return;
    emit(cursor, top.end, top.winner.owner);
    cursor = top.end + 1n;
  };
  for (const e of sorted) {
    while (stack.length > 0 && (stack[stack.length - 1]?.end ?? -1n) < e.start) close();
    const parent = stack[stack.length - 1];
    if (parent) emit(cursor, e.start - 1n, parent.winner.owner);
    cursor = e.start;
    const winner = !parent || outranks(e, parent.winner, sizes) ? e : parent.winner;
    stack.push({ end: e.end, winner });
  }
  while (stack.length > 0) close();
  return out;
}

/**
 * Packs segments as little-endian words: the count, every start (`width` words each, most significant
 * first), every end, every value; raw-deflated (the high words repeat, so it shrinks about threefold)
 * and base64-encoded to sit in a JSON or TypeScript file.
 */
function packTable(segments: (Segment & { value: number })[], width: 1 | 4): string {
  const n = segments.length;
  const view = new DataView(new ArrayBuffer(4 * (1 + n * (2 * width + 1))));
  let at = 0;
  const put = (word: number) => {
    view.setUint32(at, word, true);
    at += 4;
  };
  const putAddress = (value: bigint) => {
    for (let w = width - 1; w >= 0; w--) put(Number((value >> BigInt(32 * w)) & 0xffffffffn));
  };
  put(n);
  for (const s of segments) putAddress(s.start);
  for (const s of segments) putAddress(s.end);
  for (const s of segments) put(s.value);
  return deflateRawSync(new Uint8Array(view.buffer), { level: 9 }).toString('base64');
}
