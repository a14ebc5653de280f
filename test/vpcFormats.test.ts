import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { ingestInMemory } from './helpers/ingestInMemory.js';

const dir = mkdtempSync(join(tmpdir(), 'flowhawk-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('reads the recommended format without action and log-status: action stays unknown', async () => {
  const header =
    'account-id version interface-id srcaddr srcport dstaddr dstport protocol packets bytes start end tcp-flags type flow-direction traffic-path';
  const record =
    'unknown 5 eni-0a1b2c3d4e5f60718 203.0.113.9 51515 10.0.1.20 22 6 3 180 1700000000 1700000005 2 IPv4 ingress -';
  // Hive-compatible S3 key: the records carry no region, the path does
  const path = join(
    dir,
    'AWSLogs/aws-account-id=111122223333/aws-service=vpcflowlogs/aws-region=ap-south-1/year=2023/month=11/day=14/hour=22',
  );
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'x.log.gz'), gzipSync(`${header}\n${record}\n`));
  const db = await ingestInMemory([dir]);
  const rows = await db.rows(
    'SELECT account_id, region, action, src_port, dst_addr, tcp_flags, ip_type, flow_direction, traffic_path FROM flows',
  );
  db.store.close();
  expect(rows).toEqual([
    {
      account_id: 'unknown',
      region: 'ap-south-1',
      action: null,
      src_port: 51515,
      dst_addr: '10.0.1.20',
      tcp_flags: 2,
      ip_type: 'IPv4',
      flow_direction: 'ingress',
      traffic_path: null,
    },
  ]);
  expect(db.summary.fieldsMissing.map((m) => m.field)).toContain('action');
});

it('reads the ECS fields, reject-reason and the version 8 extras', async () => {
  const ecs = [
    'ecs-cluster-arn',
    'ecs-cluster-name',
    'ecs-container-instance-arn',
    'ecs-container-instance-id',
    'ecs-container-id',
    'ecs-second-container-id',
    'ecs-service-name',
    'ecs-task-definition-arn',
    'ecs-task-arn',
    'ecs-task-id',
  ];
  const header = `version srcaddr dstaddr action reject-reason ${ecs.join(' ')} resource-id encryption-status`;
  const values = ecs.map((name) => `${name}-value`);
  const record = `8 10.0.0.5 198.51.100.7 REJECT BPA ${values.join(' ')} nat-0123456789abcdef0 1`;
  const file = join(dir, 'ecs.log');
  writeFileSync(file, `${header}\n${record}\n`);
  const db = await ingestInMemory([file]);
  const [row] = await db.rows(
    `SELECT version, action, reject_reason, resource_id, encryption_status, ${ecs.map((n) => n.replaceAll('-', '_')).join(', ')} FROM flows`,
  );
  db.store.close();
  expect(row).toEqual({
    version: 8,
    action: 'REJECT',
    reject_reason: 'BPA',
    resource_id: 'nat-0123456789abcdef0',
    encryption_status: 1,
    ...Object.fromEntries(ecs.map((name) => [name.replaceAll('-', '_'), `${name}-value`])),
  });
  expect(db.summary.warnings).toEqual([]);
});

it('reads standard input through the CLI and prints the JSON summary scripts rely on', () => {
  const record =
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
  const out = execFileSync('node', ['--import', 'tsx', 'src/cli/run.ts', 'ingest', '-', '--json'], {
    input: gzipSync(`${record}\n${record.replace('20641', 'x')}\n`),
    cwd: join(import.meta.dirname, '..'),
  });
  const summary = JSON.parse(out.toString());
  expect(summary).toMatchObject({ files: 1, records: 1, badLines: 1, nodata: 0, skipdata: 0 });
  expect(summary.badLineExamples).toEqual([
    { file: '-', line: 2, reason: 'srcport "x" is not an integer 0-65535', excerpt: expect.any(String) },
  ]);
  expect(summary.fieldsPresent).toContain('log-status');
});

it('turns away a record of dashes in an otherwise clean file (the typed fast path) as a bad line', async () => {
  const header =
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  const path = join(dir, 'clean-dashes.log');
  const record =
    '2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 40000 443 6 3 180 1700000000 1700000060 ACCEPT OK';
  writeFileSync(path, `${header}\n${record}\n${Array(14).fill('-').join(' ')}\n`);
  const db = await ingestInMemory([path]);
  const flows = await db.rows('SELECT line FROM flows ORDER BY line');
  const bad = await db.rows('SELECT line, reason FROM bad_lines ORDER BY line');
  db.store.close();
  expect(flows).toEqual([{ line: 2 }]);
  expect(bad).toEqual([{ line: 3, reason: 'no addresses or times (every one is "-")' }]);
});

it('turns away a record of dashes as a bad line, keeping a NODATA record of dashes', async () => {
  const header =
    'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
  const lines = [
    '2 123456789012 eni-0a1b2c3d 10.0.0.1 10.0.0.2 40000 443 6 3 180 1700000000 1700000060 ACCEPT OK',
    '- - - - - - - - - - - - - -',
    '2 123456789012 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA',
    '2 123456789012 eni-0a1b2c3d - - - - - - - - - - OK',
  ];
  const path = join(dir, 'dashes.log');
  writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
  const db = await ingestInMemory([path]);
  const flows = await db.rows('SELECT line FROM flows ORDER BY line');
  const health = await db.rows('SELECT line, status FROM log_health');
  const bad = await db.rows('SELECT line, reason FROM bad_lines ORDER BY line');
  db.store.close();
  expect(flows).toEqual([{ line: 2 }]);
  expect(health).toEqual([{ line: 4, status: 'NODATA' }]);
  expect(bad).toEqual([
    { line: 3, reason: 'no addresses or times (every one is "-")' },
    { line: 5, reason: 'no addresses or times (every one is "-")' },
  ]);
});
