import type { AwsRanges } from '../enrichment/awsRanges.js';
import { IPV4_MAPPED_BASE } from '../net/addresses.js';
import type { AnalysisStore } from '../store/store.js';

/**
 * Creates fh_aws_ranges (lo, hi, service, region): AWS's published ranges, one owner per address and
 * no overlaps (see enrichment/awsCompact.ts), numbered like addresses.ip, so that an address can be
 * told to be S3's or EC2's even when the logs have no pkt-dst-aws-service (the ASOF join in
 * networks.ts). Through the store's bulk path, as the threat-list entries are (threatintel/threatTable.ts).
 */
export async function createAwsRangesTable(store: AnalysisStore, aws: AwsRanges): Promise<void> {
  await store.run(
    store.dialect.createTable('fh_aws_ranges', {
      lo: 'address',
      hi: 'address',
      service: 'text',
      region: 'text',
    }),
  );
  const rows = function* () {
    for (const range of aws.ranges()) {
      const base = range.family === 4 ? IPV4_MAPPED_BASE : 0n;
      yield [base + range.first, base + range.last, range.owner.service, range.owner.region] as const;
    }
  };
  await store.appendRows('fh_aws_ranges', ['address', 'address', 'text', 'text'], rows());
}
