/**
 * The worst-case corpus for connection reconstruction: every record is its own connection. Internet
 * sources reach the estate's interfaces on random ports, one record each, and no two records share a
 * 5-tuple in either direction, so the connections step and every detector see as many connections as
 * there are records (the realistic corpus has about one connection per 2.7 records).
 *
 * Distinctness is by construction, not by chance: record number `index` (counted over the whole
 * corpus) goes through a bijection of 32-bit integers, and the bits of the result pick the source
 * address and a block of source ports. Two records thus differ in source address or source port
 * block; the random parts (the last octet within its block, the port within its block, the target,
 * the destination port) can only add differences. Every source is public and every destination an
 * interface's private address, so no record is the reverse of another either.
 */
import type { RecordEvent } from './corpusRecords.js';
import { WINDOW_SECONDS } from './corpusRecords.js';
import type { Eni } from './corpusWorld.js';
import { Prng } from './prng.js';

/**
 * First octets of the sources: 16 (4 bits of the mixed index) /8 blocks allocated whole to the RIRs
 * and holding none of the special-use ranges (no 10, 100.64, 127, 169.254, 172.16, 192.168, 198.18,
 * TEST-NETs), so every address made from them is a routable internet address.
 */
const FIRST_OCTETS = [5, 23, 31, 37, 45, 46, 62, 77, 78, 81, 89, 91, 94, 109, 185, 212] as const;

/** Source ports start above the well-known range; 256 blocks of 252 ports end exactly at 65535. */
const SPORT_FLOOR = 1024;
const SPORT_BLOCK = 252;
/** Last octets: 16 blocks of 15 values, 1..240 (no .0 network or .255 broadcast look-alikes). */
const OCTET4_BLOCK = 15;

/** Ports internet sources ask for most; the rest of the destination ports are uniform. */
const COMMON_PORTS = [22, 80, 443, 3389, 8080, 8443, 25, 53, 3306, 5432, 445, 23] as const;
/** Share of records aimed at a common port (the rest at any port), and of accepted ones. */
const COMMON_PORT_SHARE = 0.6;
const ACCEPTED_SHARE = 0.75;
/** TCP share; the rest is UDP (never ICMP: it has no ports, and ports carry the distinctness). */
const TCP_SHARE = 0.85;

/**
 * An invertible mix of an unsigned 32-bit integer (Chris Wellons' lowbias32): xor-shifts and
 * multiplications by odd constants are each bijections of 32-bit integers, so distinct inputs always
 * give distinct outputs, while neighbouring indexes land far apart.
 */
export function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Most records a worst-case corpus can hold: the index must stay a distinct 32-bit integer. */
export const WORST_CASE_MAX_RECORDS = 2 ** 32;

/**
 * Source address and port of record number `index` for a seed: a different (address, port) for every
 * index below 2^32 (see the file comment); `rng` only picks within the blocks the index chose.
 */
export function worstCaseSource(
  index: number,
  seedOffset: number,
  rng: Prng,
): { addr: string; port: number } {
  const h = mix32((index + seedOffset) >>> 0);
  const portBlock = h & 0xff;
  const first = FIRST_OCTETS[(h >>> 8) & 0xf] as number;
  const second = (h >>> 12) & 0xff;
  const third = (h >>> 20) & 0xff;
  const fourth = 1 + (h >>> 28) * OCTET4_BLOCK + rng.int(OCTET4_BLOCK);
  return {
    addr: `${first}.${second}.${third}.${fourth}`,
    port: SPORT_FLOOR + portBlock * SPORT_BLOCK + rng.int(SPORT_BLOCK),
  };
}

/** The per-seed offset added to every index: a different seed gives different sources. */
export function worstCaseSeedOffset(seed: number): number {
  return new Prng(seed, 0x776f7273).next(); // 'wors'
}

/**
 * The event for one file of the worst-case corpus: each call writes one inbound record, the record
 * numbered `firstIndex` on the first call, then the next number on each call. A file's first index
 * is the number of records in the files planned before it, so indexes never repeat across files.
 */
export function worstCaseEvents(firstIndex: number, seedOffset: number): RecordEvent {
  let index = firstIndex;
  let targets: readonly Eni[] | undefined;
  return (b) => {
    const { rng, r } = b;
    // NAT gateway interfaces are left out: the connections step treats their legs specially
    targets ??= b.fl.enis.filter((e) => e.role !== 'nat');
    const target = b.any(targets);
    const source = worstCaseSource(index++, seedOffset, rng);
    b.reset(false, '-');
    r.proto = rng.chance(TCP_SHARE) ? 6 : 17;
    const accepted = rng.chance(ACCEPTED_SHARE);
    r.action = accepted ? 'ACCEPT' : 'REJECT';
    // a lone SYN (or SYN+FIN for a short accepted exchange); UDP carries no flags
    r.flags = r.proto === 6 ? (accepted && rng.chance(0.5) ? 3 : 2) : 0;
    r.packets = accepted ? rng.pareto(1, 1.2, 10_000) : rng.range(1, 3);
    r.bytes = r.packets * rng.range(40, 1400);
    r.start = b.windowStart + rng.int(WINDOW_SECONDS - 60);
    r.end = r.start + rng.int(61);
    const dport = rng.chance(COMMON_PORT_SHARE) ? rng.pick(COMMON_PORTS) : rng.range(1, 65535);
    b.emit(target, false, source.addr, target.ip4, source.port, dport);
  };
}
