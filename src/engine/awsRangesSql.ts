import type { AwsRanges } from '../enrichment/awsRanges.js';
import { IPV4_MAPPED_BASE } from '../net/addresses.js';

/** Rows per INSERT: a statement of a few hundred kilobytes, not one of two megabytes. */
const ROWS_PER_INSERT = 2000;

const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * SQL creating fh_aws_ranges (lo, hi, service, region): AWS's published ranges, one owner per address
 * and no overlaps (see enrichment/awsCompact.ts), numbered like addresses.ip, so that an address can
 * be told to be S3's or EC2's even when the logs have no pkt-dst-aws-service. Ordered by lo for the
 * ASOF join in networks.ts.
 */
export function awsRangesTableSql(aws: AwsRanges | undefined): string[] {
  const rows: string[] = [];
  for (const range of aws?.ranges() ?? []) {
    const base = range.family === 4 ? IPV4_MAPPED_BASE : 0n;
    rows.push(
      `(${base + range.first}::UHUGEINT, ${base + range.last}::UHUGEINT, ${quote(range.owner.service)}, ${quote(range.owner.region)})`,
    );
  }
  const statements = [
    'CREATE OR REPLACE TEMP TABLE fh_aws_ranges (lo UHUGEINT, hi UHUGEINT, service VARCHAR, region VARCHAR)',
  ];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    statements.push(`INSERT INTO fh_aws_ranges VALUES ${rows.slice(i, i + ROWS_PER_INSERT).join(', ')}`);
  }
  return statements;
}
