import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../src/ingest/ingest.js';
import { connectS3 } from '../src/sources/s3Client.js';
import { listS3Objects } from '../src/sources/s3Listing.js';
import { parseS3Url } from '../src/sources/s3Url.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { deliveryKey, type Layout, logObject } from './helpers/s3Fixtures.js';
import { startS3, type TestS3, useTestS3Env } from './helpers/s3Server.js';

/**
 * s3:// inputs against a real S3-compatible server through the real SDK: a bucket of 30 days of
 * hourly partitions (two objects an hour, at :05 and :35) in each of AWS's layouts, and what a
 * one-hour window costs in List and Get requests.
 */

const ACCOUNT = '111122223333';
const FIRST_DAY = Date.UTC(2026, 10, 1);
const HOUR = 3600_000;
const DAYS = 30;

let s3: TestS3;
let restoreEnv: () => void;

function seedBucket(bucket: string, layout: Layout, regions: readonly string[]): string[] {
  const keys: string[] = [];
  for (const region of regions) {
    for (let hour = 0; hour < DAYS * 24; hour++) {
      for (const minute of [5, 35]) {
        const at = new Date(FIRST_DAY + hour * HOUR + minute * 60_000);
        const key = deliveryKey(layout, ACCOUNT, region, at);
        s3.seed(bucket, key, logObject(ACCOUNT, at));
        keys.push(key);
      }
    }
  }
  return keys;
}

beforeAll(async () => {
  s3 = await startS3();
  restoreEnv = useTestS3Env(s3.url);
  await s3.createBucket('classic-logs');
  await s3.createBucket('hive-logs');
  seedBucket('classic-logs', 'classic', ['eu-west-1']);
  seedBucket('hive-logs', 'hive', ['eu-west-1', 'us-east-1']);
});

afterAll(async () => {
  restoreEnv?.();
  await s3?.close();
});

async function ingestS3(url: string, filter: Parameters<typeof ingest>[2] = {}) {
  const store = await DuckdbStore.open();
  try {
    const summary = await ingest(store, [url], filter);
    const files = (await store.query<{ path: string }>('SELECT path FROM ingested_files ORDER BY path')).map(
      (r) => r.path,
    );
    const [flows] = await store.query<{ n: bigint }>('SELECT count(*) AS n FROM flows');
    return { summary, files, flows: Number(flows?.n) };
  } finally {
    store.close();
  }
}

const window = { since: new Date('2026-11-15T10:00:00Z'), until: new Date('2026-11-15T11:00:00Z') };

describe.each([
  ['classic', 'classic-logs', 'AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/15/1'],
  [
    'hive',
    'hive-logs',
    'AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2026/month=11/day=15/hour=1',
  ],
] as const)('a one-hour window of a 30-day bucket, %s layout', (_layout, bucket, hourFolder) => {
  it('gets only the objects written in that hour (and the delivery slack after it), listing only their folders', async () => {
    await s3.reset();
    const { summary, files, flows } = await ingestS3(`s3://${bucket}/AWSLogs/`, {
      s3: { filter: { ...window, regions: ['eu-west-1'] } },
    });
    const stamps = files.map((f) => /_(\d{8}T\d{4}Z)_/.exec(f)?.[1]);
    // 10:05 and 10:35 in the hour; 11:05 is within the 20 minutes after it, 11:35 is not
    expect(stamps).toEqual(['20261115T1005Z', '20261115T1035Z', '20261115T1105Z']);
    expect(files.every((f) => f.startsWith(`s3://${bucket}/${hourFolder}`))).toBe(true);
    expect(summary.files).toBe(3);
    expect(flows).toBe(3);
    expect(
      (await s3.gets()).map(
        (g) =>
          g.path
            .split('/')
            .pop()
            ?.match(/_(\d{8}T\d{4}Z)_/)?.[1],
      ),
    ).toEqual(expect.arrayContaining(stamps));
    expect(await s3.gets()).toHaveLength(3);
    // each listing is on the way down to that day, or of the two hour folders: never a sibling day
    const day = hourFolder.slice(0, hourFolder.lastIndexOf('/') + 1);
    const prefixes = (await s3.lists()).map((l) => l.query.get('prefix') ?? '');
    for (const prefix of prefixes) expect(day.startsWith(prefix) || prefix.startsWith(hourFolder)).toBe(true);
    expect(prefixes.length).toBeLessThanOrEqual(10);
  });
});

describe('listing without a window', () => {
  it('lists the prefix flat, a thousand keys a request, and reads every object', async () => {
    await s3.reset();
    const day = 'AWSLogs/111122223333/vpcflowlogs/eu-west-1/2026/11/02/';
    const { files, flows } = await ingestS3(`s3://classic-logs/${day}`);
    expect(files).toHaveLength(48);
    expect(flows).toBe(48);
    expect(await s3.lists()).toHaveLength(1);
    expect((await s3.lists())[0]?.query.get('delimiter')).toBeNull();
  });

  it('pages through more than a thousand keys', async () => {
    await s3.reset();
    const client = await connectS3({ endpointUrl: s3.url });
    try {
      const objects = await listS3Objects(client, parseS3Url('s3://classic-logs/AWSLogs/'), {
        accounts: [ACCOUNT],
      });
      expect(objects).toHaveLength(DAYS * 24 * 2);
      expect(new Set(objects.map((o) => o.key)).size).toBe(DAYS * 24 * 2);
      expect(objects.every((o) => /^"[0-9a-f]{32}"$/.test(o.etag) && o.size > 0)).toBe(true);
    } finally {
      client.destroy();
    }
    // the account folder rules out nothing below it: listed flat, 1,440 keys in two pages
    const flat = (await s3.lists()).filter((l) => l.query.get('delimiter') === null);
    expect(flat).toHaveLength(2);
    expect(flat[1]?.query.get('continuation-token')).toBeTruthy();
  });
});

describe('account and region filters', () => {
  it('reads one region of a bucket holding two, in the hive layout', async () => {
    await s3.reset();
    const { files } = await ingestS3('s3://hive-logs/', {
      s3: {
        filter: {
          regions: ['us-east-1'],
          since: new Date('2026-11-20T00:00:00Z'),
          until: new Date('2026-11-20T02:00:00Z'),
        },
      },
    });
    expect(files.length).toBe(5);
    expect(files.every((f) => f.includes('aws-region=us-east-1/'))).toBe(true);
    expect(
      (await s3.lists()).some((l) => (l.query.get('prefix') ?? '').includes('aws-region=eu-west-1')),
    ).toBe(false);
  });

  it('reads nothing for an account the bucket does not hold, with one listing per level above it', async () => {
    await s3.reset();
    const { files } = await ingestS3('s3://classic-logs/', {
      s3: { filter: { accounts: ['999999999999'] } },
    });
    expect(files).toEqual([]);
    expect(await s3.gets()).toHaveLength(0);
    expect(await s3.lists()).toHaveLength(2);
  });
});
