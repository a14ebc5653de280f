import { cidrRange } from '../net/addresses.js';

/**
 * Public recursive resolvers that answer DNS over HTTPS (and DNS over TLS) on their anycast addresses,
 * from each provider's published setup page. The resolver detector treats HTTPS to these addresses as
 * DoH, and plain DNS to them as a public resolver rather than an unknown server.
 *
 * Detector parameters are numbers, so this list is not a parameter: extend it here, or silence a
 * resolver you sanctioned with an allowlist entry (role target, detector resolver).
 */
export const PUBLIC_RESOLVERS: readonly { provider: string; addresses: readonly string[] }[] = [
  {
    provider: 'Cloudflare 1.1.1.1 (and 1.1.1.2/1.1.1.3 for families)',
    addresses: [
      '1.1.1.1',
      '1.0.0.1',
      '1.1.1.2',
      '1.0.0.2',
      '1.1.1.3',
      '1.0.0.3',
      '2606:4700:4700::1111',
      '2606:4700:4700::1001',
      '2606:4700:4700::1112',
      '2606:4700:4700::1002',
      '2606:4700:4700::1113',
      '2606:4700:4700::1003',
    ],
  },
  {
    provider: 'Google Public DNS',
    addresses: ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'],
  },
  {
    provider: 'Quad9',
    addresses: [
      '9.9.9.9',
      '149.112.112.112',
      '9.9.9.10',
      '149.112.112.10',
      '9.9.9.11',
      '149.112.112.11',
      '2620:fe::fe',
      '2620:fe::9',
      '2620:fe::10',
      '2620:fe::fe:10',
      '2620:fe::11',
      '2620:fe::fe:11',
    ],
  },
  {
    provider: 'Cisco OpenDNS',
    addresses: [
      '208.67.222.222',
      '208.67.220.220',
      '208.67.222.123',
      '208.67.220.123',
      '2620:119:35::35',
      '2620:119:53::53',
    ],
  },
  {
    provider: 'AdGuard DNS',
    addresses: [
      '94.140.14.14',
      '94.140.15.15',
      '94.140.14.15',
      '94.140.15.16',
      '94.140.14.140',
      '94.140.14.141',
      '2a10:50c0::ad1:ff',
      '2a10:50c0::ad2:ff',
    ],
  },
  {
    provider: 'CleanBrowsing',
    addresses: [
      '185.228.168.9',
      '185.228.169.9',
      '185.228.168.10',
      '185.228.169.11',
      '185.228.168.168',
      '185.228.169.168',
    ],
  },
  { provider: 'NextDNS (anycast, per-profile addresses)', addresses: ['45.90.28.0/24', '45.90.30.0/24'] },
  { provider: 'Control D', addresses: ['76.76.2.0/29', '76.76.10.0/29'] },
  {
    provider: 'Mullvad DNS',
    addresses: ['194.242.2.2', '194.242.2.3', '194.242.2.4', '194.242.2.5', '194.242.2.6', '194.242.2.9'],
  },
  { provider: 'DNS.SB', addresses: ['185.222.222.222', '45.11.45.11'] },
  { provider: 'Alibaba AliDNS', addresses: ['223.5.5.5', '223.6.6.6'] },
  { provider: 'Tencent DNSPod', addresses: ['119.29.29.29', '1.12.12.12', '120.53.53.53'] },
  { provider: 'TWNIC Quad101', addresses: ['101.101.101.101', '101.102.103.104'] },
];

/** SQL condition: the 128-bit address `ip` (addresses.ip) is one of PUBLIC_RESOLVERS. */
export function publicResolverSql(ip: string): string {
  return PUBLIC_RESOLVERS.flatMap((p) => p.addresses)
    .map((cidr) => cidrRange(cidr, 'PUBLIC_RESOLVERS'))
    .map(({ lo, hi }) => (lo === hi ? `${ip} = ${lo}` : `${ip} BETWEEN ${lo} AND ${hi}`))
    .join(' OR ');
}
