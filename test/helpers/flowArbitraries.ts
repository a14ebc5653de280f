import fc from 'fast-check';
import { parseHeader } from '../../src/readers/vpcText.js';

/** fast-check generators of VPC flow log records, shared by the reader property tests. */

export const V2_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
/** A custom (v3+) format, as a header line or a CloudWatch message names it. */
export const CUSTOM_HEADER =
  'version interface-id srcaddr dstaddr srcport dstport protocol bytes start end action tcp-flags log-status';

export const octet = fc.integer({ min: 0, max: 255 });
export const ipv4 = fc.tuple(octet, octet, octet, octet).map((o) => o.join('.'));
export const ipv6 = fc
  .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
export const address = fc.oneof(ipv4, ipv6);
export const port = fc.integer({ min: 0, max: 65535 });
export const protocol = fc.constantFrom(1, 6, 17, 58);
export const epoch = fc.integer({ min: 1.4e9, max: 1.8e9 });
export const action = fc.constantFrom('ACCEPT', 'REJECT');

/** A valid record in the default v2 format. */
export const v2Record = fc
  .record({
    src: address,
    dst: address,
    sport: port,
    dport: port,
    proto: protocol,
    packets: fc.integer({ min: 1, max: 1e6 }),
    bytes: fc.integer({ min: 1, max: 1e9 }),
    start: epoch,
    action: fc.constantFrom('ACCEPT', 'REJECT', '-'),
  })
  .map(
    (r) =>
      `2 123456789012 eni-0abc ${r.src} ${r.dst} ${r.sport} ${r.dport} ${r.proto} ${r.packets} ${r.bytes} ${r.start} ${r.start + 60} ${r.action} OK`,
  );

/** A NODATA or SKIPDATA record in the default v2 format. */
export const v2Health = fc
  .constantFrom('NODATA', 'SKIPDATA')
  .map((s) => `2 123456789012 eni-0abc - - - - - - - 1500000000 1500000060 - ${s}`);

/** A valid record in CUSTOM_HEADER's format. */
export const customRecord = fc
  .record({
    eni: fc.integer({ min: 0, max: 0xffffff }),
    src: address,
    dst: address,
    sport: port,
    dport: port,
    proto: protocol,
    bytes: fc.integer({ min: 1, max: 1e9 }),
    start: epoch,
    action,
    flags: fc.integer({ min: 0, max: 255 }),
  })
  .map(
    (r) =>
      `5 eni-${r.eni.toString(16)} ${r.src} ${r.dst} ${r.sport} ${r.dport} ${r.proto} ${r.bytes} ${r.start} ${r.start + 60} ${r.action} ${r.flags} OK`,
  );

/** A NODATA or SKIPDATA record in CUSTOM_HEADER's format. */
export const customHealth = fc
  .constantFrom('NODATA', 'SKIPDATA')
  .map((s) => `5 eni-0abc - - - - - - 1500000000 1500000060 - - ${s}`);

/** A valid line damaged the ways real files get damaged: what it becomes (record or bad line) varies. */
export function mutated(source: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(source, fc.nat(), fc.integer({ min: 0, max: 6 }), fc.string({ unit: 'binary', maxLength: 12 }))
    .map(([line, at, how, junk]) => {
      const fields = line.split(' ');
      const i = at % fields.length;
      switch (how) {
        case 0:
          return fields.filter((_, k) => k !== i).join(' ');
        case 1:
          return [...fields.slice(0, i), junk, ...fields.slice(i)].join(' ');
        case 2:
          fields[i] = junk;
          return fields.join(' ');
        case 3:
          return line.slice(0, at % line.length);
        case 4:
          return `${line}  #${junk}`;
        case 5:
          fields[i] = `${fields[i]}9999999`;
          return fields.join('  ');
        default:
          return junk;
      }
    });
}

/** A damaged line that cannot pass for a header (a header would change how the lines after it read). */
export function mutatedNotHeader(source: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return mutated(source).filter((text) => parseHeader(text) === undefined);
}
