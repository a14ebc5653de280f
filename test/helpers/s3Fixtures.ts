import { gzipSync } from 'node:zlib';

/** One hour of AWS's partitions in either layout, for the S3 tests. */
export type Layout = 'classic' | 'hive';

const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';

const pad = (n: number) => String(n).padStart(2, '0');

/** The key AWS would write an object under, for an object written at `at`. */
export function deliveryKey(
  layout: Layout,
  account: string,
  region: string,
  at: Date,
  flowLogId = 'fl-0a1b2c3d4e5f60718',
): string {
  const [y, m, d, h, min] = [
    at.getUTCFullYear(),
    at.getUTCMonth() + 1,
    at.getUTCDate(),
    at.getUTCHours(),
    at.getUTCMinutes(),
  ];
  const folders =
    layout === 'classic'
      ? `AWSLogs/${account}/vpcflowlogs/${region}/${y}/${pad(m)}/${pad(d)}/${pad(h)}/`
      : `AWSLogs/aws-account-id=${account}/aws-service=vpcflowlogs/aws-region=${region}/year=${y}/month=${pad(m)}/day=${pad(d)}/hour=${pad(h)}/`;
  const stamp = `${y}${pad(m)}${pad(d)}T${pad(h)}${pad(min)}Z`;
  return `${folders}${account}_vpcflowlogs_${region}_${flowLogId}_${stamp}_${(at.getTime() / 60000).toString(16)}.log.gz`;
}

/** A gzipped v2 log object with one record per given source port, in the five minutes before `at`. */
export function logObject(account: string, at: Date, srcPorts: readonly number[] = [443]): Buffer {
  const end = Math.floor(at.getTime() / 1000) - 60;
  const lines = srcPorts.map(
    (port) =>
      `2 ${account} eni-0a1b2c3d4e5f60718 10.0.0.5 10.0.1.9 ${port} 49152 6 10 840 ${end - 240} ${end} ACCEPT OK`,
  );
  return gzipSync(`${[HEADER, ...lines].join('\n')}\n`);
}

/**
 * A gzipped v2 log object of a vertical port scan: `scanner` (an internet address) tries `ports`
 * ports of the internal host `target`, each refused, in the five minutes before `at`.
 */
export function portScanObject(
  account: string,
  at: Date,
  scanner: string,
  target: string,
  ports = 40,
): Buffer {
  const end = Math.floor(at.getTime() / 1000) - 60;
  const lines = Array.from(
    { length: ports },
    (_, i) =>
      `2 ${account} eni-0a1b2c3d4e5f60718 ${scanner} ${target} ${40000 + i} ${20 + i * 7} 6 1 44 ${end - 240 + i} ${end - 230 + i} REJECT OK`,
  );
  return gzipSync(`${[HEADER, ...lines].join('\n')}\n`);
}
