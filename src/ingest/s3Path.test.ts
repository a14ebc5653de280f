import { describe, expect, it } from 'vitest';
import { s3PathFacts } from './s3Path.js';

describe('s3PathFacts', () => {
  it('reads the classic layout and the file name', () => {
    expect(
      s3PathFacts(
        'dl/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz',
      ),
    ).toEqual({ accountId: '123456789012', region: 'us-east-1', flowLogId: 'fl-1234abcd' });
  });

  it('reads Hive-compatible prefixes', () => {
    expect(
      s3PathFacts(
        'x/AWSLogs/aws-account-id=210987654321/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=03/day=11/hour=02/a.log.gz',
      ),
    ).toEqual({ accountId: '210987654321', region: 'eu-west-1' });
  });

  it('says nothing of a path that is not an S3 layout', () => {
    expect(s3PathFacts('/tmp/flows.log')).toEqual({});
  });
});
