/**
 * What an S3 delivery path says about its records. AWS writes flow logs under
 *   AWSLogs/{account}/vpcflowlogs/{region}/YYYY/MM/DD[/HH]/{account}_vpcflowlogs_{region}_{flow-log-id}_{YYYYMMDDTHHmmZ}_{hash}.log.gz
 * or, with Hive-compatible prefixes,
 *   AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year=YYYY/month=MM/day=DD[/hour=HH]/…
 * Records without account-id or region fields take them from here.
 */
export interface S3PathFacts {
  accountId?: string;
  region?: string;
  flowLogId?: string;
}

const HIVE_ACCOUNT = /(?:^|\/)aws-account-id=(\d{12}|unknown)(?:\/|$)/;
const HIVE_REGION = /(?:^|\/)aws-region=([a-z]{2}(?:-[a-z]+)+-\d+)(?:\/|$)/;
const CLASSIC = /(?:^|\/)AWSLogs\/(\d{12})\/vpcflowlogs\/([a-z]{2}(?:-[a-z]+)+-\d+)(?:\/|$)/;
const FILE_NAME =
  /(?:^|\/)(\d{12})_vpcflowlogs_([a-z]{2}(?:-[a-z]+)+-\d+)_(fl-[0-9a-f]+)_\d{8}T\d{4}Z_[0-9a-f]+\.log(?:\.gz|\.parquet)?$/;

export function s3PathFacts(path: string): S3PathFacts {
  const normalised = path.replaceAll('\\', '/');
  const facts: S3PathFacts = {};
  const name = FILE_NAME.exec(normalised);
  if (name) {
    facts.accountId = name[1];
    facts.region = name[2];
    facts.flowLogId = name[3];
  }
  const classic = CLASSIC.exec(normalised);
  if (classic) {
    facts.accountId ??= classic[1];
    facts.region ??= classic[2];
  }
  facts.accountId ??= HIVE_ACCOUNT.exec(normalised)?.[1];
  facts.region ??= HIVE_REGION.exec(normalised)?.[1];
  if (facts.accountId === undefined) delete facts.accountId;
  if (facts.region === undefined) delete facts.region;
  return facts;
}
