import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/config.js';
import { DETECTORS } from '../src/detectors/index.js';
import type { FindingChange } from '../src/watch/emitted.js';
import { type PollReport, watch } from '../src/watch/watch.js';
import { deliveryKey, portScanObject } from './helpers/s3Fixtures.js';
import { startS3, type TestS3, useTestS3Env } from './helpers/s3Server.js';

/**
 * An object that reaches the bucket hours after the time in its name (a delivery backlog) is beyond
 * the listing margin of every ordinary poll; the periodic catch-up poll, which lists the whole
 * look-back window, still reads it and prints its finding.
 */

const ACCOUNT = '111122223333';
const BUCKET = 'late-bucket';
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-watch-late-'));
let s3: TestS3;
let restoreEnv: () => void;

beforeAll(async () => {
  s3 = await startS3();
  restoreEnv = useTestS3Env(s3.url);
  await s3.createBucket(BUCKET);
  const now = new Date();
  await s3.put(
    BUCKET,
    deliveryKey('classic', ACCOUNT, 'eu-west-1', now, 'fl-on-time'),
    portScanObject(ACCOUNT, now, '198.51.100.1', '10.0.0.1'),
  );
}, 30_000);

afterAll(async () => {
  restoreEnv?.();
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('watch: objects delivered late', () => {
  it('reads an object named three hours back at the next catch-up poll, not at the ordinary ones', async () => {
    const stop = new AbortController();
    const polls: PollReport[] = [];
    const printed: FindingChange[] = [];
    let lateAdded = false;
    const end = await watch({
      sources: [`s3://${BUCKET}/AWSLogs/`],
      store: { workspace: join(dir, 'w.duckdb') },
      s3: { filter: {} },
      intervalSeconds: 0.2,
      catchUpSeconds: 4,
      config: resolveConfig(DETECTORS, {}, 'test'),
      detectors: DETECTORS,
      signal: stop.signal,
      emit: async (changes) => {
        printed.push(...changes);
      },
      onPoll: (poll) => {
        polls.push(poll);
        if (!lateAdded) {
          lateAdded = true;
          const written = new Date(Date.now() - 3 * 3600_000);
          void s3.put(
            BUCKET,
            deliveryKey('classic', ACCOUNT, 'eu-west-1', written, 'fl-late'),
            portScanObject(ACCOUNT, written, '198.51.100.2', '10.0.0.2'),
          );
        }
        if (poll.catchUp || polls.length > 200) stop.abort();
      },
    });
    expect(end.stopped).toBe(true);
    const [first, ...later] = polls;
    expect(first?.ingest?.files).toBe(1);
    const ordinary = later.filter((p) => !p.catchUp);
    const catchUp = later.find((p) => p.catchUp);
    expect(ordinary.length).toBeGreaterThan(0);
    expect(ordinary.every((p) => (p.ingest?.files ?? 0) === 0)).toBe(true);
    expect(catchUp?.ingest?.files).toBe(1);
    expect(printed.map((c) => c.finding.actor).sort()).toEqual(['198.51.100.1', '198.51.100.2']);
  }, 60_000);
});
