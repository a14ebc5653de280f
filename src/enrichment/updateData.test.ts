import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowhawkError } from '../errors.js';
import { AWS_RANGES_FILE } from './dataDir.js';
import { loadOwnerLookup } from './ownerLookup.js';
import { updateAwsRanges } from './updateData.js';

const fixture = readFileSync(new URL('./testdata/aws-ip-ranges.json', import.meta.url), 'utf8');

/** What the loopback server answers per path: [status, body]. */
const ROUTES: Record<string, [number, string]> = {
  '/ip-ranges.json': [200, fixture],
  '/no-sync-token.json': [200, JSON.stringify({ ...JSON.parse(fixture), syncToken: undefined })],
  '/bad-prefix.json': [
    200,
    JSON.stringify({
      ...JSON.parse(fixture),
      prefixes: [{ ip_prefix: '2001:db8::/32', region: 'x', service: 'S3' }],
    }),
  ],
  '/html': [200, '<html>captive portal</html>'],
  '/missing': [404, 'not here'],
};

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const [status, body] = ROUTES[req.url ?? ''] ?? [500, ''];
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const newDir = () => mkdtempSync(join(tmpdir(), 'flowhawk-update-'));

describe('updateAwsRanges', () => {
  it('downloads, compacts and stores the file, which the lookup then prefers', async () => {
    const dataDir = newDir();
    const result = await updateAwsRanges({ url: `${base}/ip-ranges.json`, dataDir });
    expect(result).toMatchObject({
      path: join(dataDir, AWS_RANGES_FILE),
      syncToken: '1900000000',
      createDate: '2030-03-17T12:00:00Z',
    });
    expect(readdirSync(dataDir)).toEqual([AWS_RANGES_FILE]); // no temporary file left behind
    const lookup = await loadOwnerLookup({ dataDir, asn: false, country: false });
    expect(lookup.awsOwner('203.0.113.64')?.service).toBe('S3');
    expect(lookup.awsOwner('52.219.170.77')).toBeUndefined(); // the bundled snapshot is not in use
    expect(lookup.enrichmentSources()[0]?.date).toBe('2030-03-17T12:00:00Z');
  });

  it.each([
    ['/no-sync-token.json', /no numeric "syncToken"/],
    ['/bad-prefix.json', /prefixes\[0\] has no IPV4 "ip_prefix"/],
    ['/html', /did not return JSON/],
    ['/missing', /HTTP 404/],
  ])('refuses %s and leaves the stored file alone', async (path, message) => {
    const dataDir = newDir();
    await updateAwsRanges({ url: `${base}/ip-ranges.json`, dataDir });
    const before = readFileSync(join(dataDir, AWS_RANGES_FILE), 'utf8');
    const error = await updateAwsRanges({ url: `${base}${path}`, dataDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FlowhawkError);
    expect((error as FlowhawkError).message).toMatch(message);
    expect((error as FlowhawkError).message).toContain(`${base}${path}`);
    expect(readFileSync(join(dataDir, AWS_RANGES_FILE), 'utf8')).toBe(before);
    expect(readdirSync(dataDir)).toEqual([AWS_RANGES_FILE]);
  });

  it('says which address it could not reach', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/ip-ranges.json`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(updateAwsRanges({ url, dataDir: newDir() })).rejects.toThrow(`cannot download ${url}`);
  });
});
