import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/server/apiTypes.js';
import { startServer } from '../../src/server/app.js';
import { AUTH_FAILURE_LIMIT, AuthFailures } from '../../src/server/authFailures.js';
import { getJson, portScanLog, settled, testServer, upload } from '../helpers/server.js';

type Server = Awaited<ReturnType<typeof testServer>>;

describe('flowhawk serve: authentication', () => {
  const TOKEN = 's3cret-token-for-tests';
  let server: Server;
  beforeAll(async () => {
    server = await testServer({ token: TOKEN, log: () => undefined });
  });
  afterAll(async () => server?.close());

  it('demands the bearer token on every API call but the open ones', async () => {
    const info = await getJson<{ auth: boolean }>(server.url, '/api/info');
    expect(info.auth).toBe(true);
    expect((await fetch(`${server.url}/api/openapi.json`)).status).toBe(200);
    const none = await fetch(`${server.url}/api/jobs`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await fetch(`${server.url}/api/jobs`, { headers: { Authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await upload(server.url, [{ name: 'a.log.gz', content: portScanLog() }])).status).toBe(401);
    const events = await fetch(`${server.url}/api/jobs/00000000-0000-4000-8000-000000000000/events`);
    expect(events.status).toBe(401);
    const right = await upload(server.url, [{ name: 'a.log.gz', content: portScanLog() }], { token: TOKEN });
    expect(right.status).toBe(201);
    const job = await settled(server.url, ((await right.json()) as Job).id, TOKEN);
    expect(job.status).toBe('done');
  });

  it('will not listen beyond loopback without a token, or with one shorter than 16 characters', async () => {
    await expect(startServer({ workspace: server.workspace, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /without a token/,
    );
    // a documentation address (TEST-NET-1): were the check missing, listening would fail, not bind
    await expect(
      startServer({ workspace: server.workspace, host: '192.0.2.1', port: 0, token: 'x'.repeat(15) }),
    ).rejects.toThrow(/token of 15 characters: one shorter than 16/);
  });

  it('takes a short token on loopback, where only this machine can try it', async () => {
    const local = await testServer({ token: 'short' });
    try {
      const ok = await fetch(`${local.url}/api/jobs`, { headers: { Authorization: 'Bearer short' } });
      expect(ok.status).toBe(200);
    } finally {
      await local.close();
    }
  });
});

describe('flowhawk serve: wrong tokens', () => {
  const TOKEN = 'the-right-token-0123456789';
  const said: string[] = [];
  let server: Server;
  const jobs = (token?: string) =>
    fetch(
      `${server.url}/api/jobs`,
      token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
    );
  beforeAll(async () => {
    server = await testServer({ token: TOKEN, log: (line) => said.push(line) });
  });
  afterAll(async () => server?.close());

  it('counts neither successes nor requests without a token, logs each wrong one without it, then answers 429', async () => {
    // a page learns that a token is needed from a 401: not an attempt, not counted, not logged
    for (let i = 0; i < AUTH_FAILURE_LIMIT + 2; i++) expect((await jobs()).status).toBe(401);
    expect(said).toEqual([]);
    for (let i = 1; i < AUTH_FAILURE_LIMIT; i++) {
      expect((await jobs(`guess-number-${i}`)).status).toBe(401);
      expect((await jobs(TOKEN)).status).toBe(200);
    }
    expect(said).toHaveLength(AUTH_FAILURE_LIMIT - 1);
    expect(said[0]).toMatch(/^refused a wrong token from 127\.0\.0\.1 \(GET \/api\/jobs\); 1 of 10/);
    expect(said.join('\n')).not.toContain('guess-number');
    expect((await jobs('guess-number-10')).status).toBe(401);
    expect(said.at(-1)).toMatch(/^127\.0\.0\.1 is answered 429 for \d+ s$/);

    for (const token of ['guess-number-11', TOKEN, undefined]) {
      const refused = await jobs(token);
      expect(refused.status, String(token)).toBe(429);
      const wait = Number(refused.headers.get('retry-after'));
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      const body = (await refused.json()) as { error: string; hint: string };
      expect(body.error).toContain('too many wrong tokens from 127.0.0.1');
      expect(body.hint).toContain(`wait ${wait} s`);
    }
    // what anyone may read stays open
    expect((await fetch(`${server.url}/api/info`)).status).toBe(200);
    expect(said.join('\n')).not.toContain('guess-number');
  });
});

describe('AuthFailures (the window, on a clock of its own)', () => {
  it('refuses an address once it has `limit` failures within the window, until the oldest leaves it', () => {
    let now = 1_000_000;
    const failures = new AuthFailures(3, 60_000, () => now);
    failures.fail('10.0.0.1');
    now += 20_000;
    failures.fail('10.0.0.1');
    expect(failures.retryAfter('10.0.0.1')).toBe(0);
    now += 10_000;
    expect(failures.fail('10.0.0.1')).toBe(3);
    // the first failure was 30 s ago: it leaves the window in 30 s
    expect(failures.retryAfter('10.0.0.1')).toBe(30);
    expect(failures.retryAfter('10.0.0.2')).toBe(0);
    now += 29_500;
    expect(failures.retryAfter('10.0.0.1')).toBe(1);
    now += 500;
    expect(failures.retryAfter('10.0.0.1')).toBe(0);
    // two failures remain within the window: one more refuses it again, until the second leaves
    expect(failures.fail('10.0.0.1')).toBe(3);
    expect(failures.retryAfter('10.0.0.1')).toBe(20);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const failures = new AuthFailures(2, 1000, () => now);
    failures.fail('a');
    now = 1500;
    expect(failures.fail('a')).toBe(1);
    expect(failures.retryAfter('a')).toBe(0);
  });
});
