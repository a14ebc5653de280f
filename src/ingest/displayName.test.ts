import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, expect, it } from 'vitest';
import { fetchEvidence } from '../engine/evidence.js';
import { DuckdbStore } from '../store/duckdbStore.js';
import { type FileProgress, ingest } from './ingest.js';

// an upload as the server keeps it: a generated name on disk, the browser's name for people
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = join(dir, 'jobs', '7', 'files');
mkdirSync(files, { recursive: true });

const KEY = 'AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/01/02/x.log.gz';
const COPY = 'copy-of-x.log.gz';
const NOTES = 'notes.txt';

// no account-id or region field: the records can only take them from the name
const log = gzipSync(
  [
    'version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    '2 eni-0a1b2c3d 10.0.0.1 10.0.0.2 40001 22 6 3 180 1704153600 1704153660 REJECT OK',
    '2 eni-0a1b2c3d 10.0.0.1 10.0.0.2 40002 22 6 3 180 1704153610 1704153670 REJECT OK',
    '2 eni-0a1b2c3d 10.0.0.1 not-an-address 40003 22 6 3 180 1704153620 1704153680 REJECT OK',
    '',
  ].join('\n'),
);
const onDisk = { log: join(files, '0003'), copy: join(files, '0004'), notes: join(files, '0005') };
writeFileSync(onDisk.log, log);
writeFileSync(onDisk.copy, log);
writeFileSync(onDisk.notes, 'shopping list\n');
const names = new Map([
  [onDisk.log, KEY],
  [onDisk.copy, COPY],
  [onDisk.notes, NOTES],
]);

let store: DuckdbStore;
beforeEach(async () => {
  store = await DuckdbStore.open();
});
afterEach(() => store.close());

async function ingestUploads() {
  const asked: string[] = [];
  const progress: FileProgress[] = [];
  const summary = await ingest(store, [onDisk.log, onDisk.notes], {
    displayName: (path) => {
      asked.push(path);
      return names.get(path) ?? path;
    },
    onFile: (p) => progress.push(p),
  });
  return { summary, asked, progress };
}

it('asks for the name of each file by its path on disk, and still reads the file there', async () => {
  const { summary, asked } = await ingestUploads();
  expect(asked.sort()).toEqual([onDisk.log, onDisk.notes].sort());
  expect(summary.records).toBe(2);
});

it('records and reports each file under its display name', async () => {
  const { summary, progress } = await ingestUploads();
  expect(await store.query('SELECT path FROM ingested_files ORDER BY file_id')).toEqual([
    { path: KEY },
    { path: NOTES },
  ]);
  expect(summary.perFile.map((f) => [f.path, f.records])).toEqual([
    [KEY, 2],
    [NOTES, 0],
  ]);
  expect(summary.badLineExamples.map((b) => [b.file, b.line])).toEqual([
    [KEY, 4],
    [NOTES, 1],
  ]);
  expect(summary.warnings).toContain(
    `${NOTES}: does not look like a flow log; its lines are reported as bad`,
  );
  expect(progress.map((p) => p.path).sort()).toEqual([NOTES, KEY].sort());
});

it('names both files by their display names when it skips a copy', async () => {
  await ingestUploads();
  const again = await ingest(store, [onDisk.copy], { displayName: (path) => names.get(path) ?? path });
  expect(again.filesSkipped).toEqual([
    { path: COPY, reason: 'already ingested (same content)', sameAs: KEY },
  ]);
});

it('takes account and region from an S3-shaped display name, and shows it in the evidence', async () => {
  const { summary } = await ingestUploads();
  expect(summary.accounts).toEqual(['123456789012']);
  expect(summary.regions).toEqual(['us-east-1']);
  const [evidence] = await fetchEvidence(store, [{ client: '10.0.0.1', server: '10.0.0.2' }]);
  expect(evidence?.map((r) => [r.file, r.line, r.accountId, r.region])).toEqual([
    [KEY, 2, '123456789012', 'us-east-1'],
    [KEY, 3, '123456789012', 'us-east-1'],
  ]);
});
