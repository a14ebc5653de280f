import ipaddr from 'ipaddr.js';

/**
 * An address as the range tables compare it: IPv4 as one 32-bit word, IPv6 as four big-endian 32-bit
 * words. IPv6 forms that carry an IPv4 address whose owner is the IPv4 owner are reduced to IPv4.
 */
export type AddressKey = { readonly family: 4 | 6; readonly words: Uint32Array; readonly range: string };

/**
 * The key of `address`, or undefined when it is not an IP address (flow logs write `-` for a missing
 * one, and a lookup that throws on that would stop a whole scan).
 */
export function addressKey(address: string): AddressKey | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.trim());
  } catch {
    return undefined;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    // ::ffff:a.b.c.d is how dual-stack sockets log IPv4 peers; 64:ff9b::/96 is the NAT64 prefix AWS NAT
    // gateways translate through: in both the host on the wire is the embedded IPv4 address.
    if (range === 'ipv4Mapped' || (range === 'rfc6052' && isWellKnownNat64(v6))) {
      return v4Key(ipaddr.IPv4.parse(ipv4Tail(v6)));
    }
    const bytes = v6.toByteArray();
    const words = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      const [a = 0, b = 0, c = 0, d = 0] = bytes.slice(i * 4, i * 4 + 4);
      words[i] = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
    }
    return { family: 6, words, range };
  }
  return v4Key(parsed as ipaddr.IPv4);
}

/** Whether the address belongs to the public internet, so that an ASN or country can exist for it. */
export function isPublic(key: AddressKey): boolean {
  // ipaddr.js names every special-purpose block (private, loopback, documentation, CGNAT, ULA, …) and
  // calls everything else 'unicast'; 6to4 and Teredo addresses are routed public space too.
  return key.range === 'unicast' || key.range === '6to4' || key.range === 'teredo';
}

function v4Key(v4: ipaddr.IPv4): AddressKey {
  const [a = 0, b = 0, c = 0, d = 0] = v4.octets;
  return { family: 4, words: Uint32Array.of(a * 2 ** 24 + b * 2 ** 16 + c * 2 ** 8 + d), range: v4.range() };
}

function isWellKnownNat64(v6: ipaddr.IPv6): boolean {
  const p = v6.parts;
  return p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0;
}

function ipv4Tail(v6: ipaddr.IPv6): string {
  const p = v6.parts;
  const hi = p[6] ?? 0;
  const lo = p[7] ?? 0;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}
