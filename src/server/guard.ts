import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS, AuthFailures } from './authFailures.js';
import type { ServerLog } from './context.js';

export interface GuardOptions {
  /** the address the server listens on */
  host: string;
  /** bearer token every API call must carry; none when absent */
  token?: string;
  log: ServerLog;
}

/** API paths a client may read before it has the token: what the server needs and its API doc. */
const OPEN_PATHS = new Set(['/api/info', '/api/openapi.json']);

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'loopback';
}

/**
 * Checks every request before routing:
 * - bound to loopback, the Host header must name loopback too, so a web page on another site cannot
 *   reach the server through a DNS name rebound to 127.0.0.1;
 * - a request that changes something and comes from a page (Origin header) must come from this
 *   server's own page, so another site cannot post uploads or delete jobs from the user's browser;
 * - with a token, every API call but the open ones carries `Authorization: Bearer TOKEN`. A wrong
 *   one is logged with the client's address (never what it sent), and an address that sent too many
 *   is answered 429 for a while, so the token cannot be guessed at network speed. A request with no
 *   Authorization header is not an attempt: it is how the page learns that a token is needed.
 */
export function requestGuard(options: GuardOptions) {
  const loopbackOnly = isLoopback(options.host);
  const expected = options.token ? Buffer.from(options.token) : undefined;
  const failures = new AuthFailures();
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const host = request.headers.host ?? '';
    if (loopbackOnly && !isLoopback(hostname(host))) {
      return refuse(reply, 421).send({
        error: `this server answers only to localhost, not to Host "${host}"`,
        hint: 'open it as http://127.0.0.1:PORT/ or http://localhost:PORT/',
      });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !['GET', 'HEAD'].includes(request.method) && !sameHost(origin, host)) {
      return refuse(reply, 403).send({
        error: `requests from ${origin} may not change anything here`,
        hint: 'use the page this server serves, or a client that sends no Origin header',
      });
    }
    const path = request.url.split('?')[0] ?? '';
    if (expected && path.startsWith('/api/') && !OPEN_PATHS.has(path)) {
      const client = request.ip;
      const wait = failures.retryAfter(client);
      if (wait > 0) {
        return refuse(reply, 429)
          .header('Retry-After', String(wait))
          .send({
            error: `too many wrong tokens from ${client}: ${AUTH_FAILURE_LIMIT} within ${AUTH_FAILURE_WINDOW_MS / 1000} s`,
            hint: `wait ${wait} s, then send the token the server was started with (--token or FLOWHAWK_TOKEN)`,
          });
      }
      const header = request.headers.authorization;
      const given = /^Bearer (.+)$/.exec(header ?? '')?.[1];
      const ok = given !== undefined && safeEqual(Buffer.from(given), expected);
      if (!ok) {
        if (header !== undefined) {
          const count = failures.fail(client);
          options.log(
            `refused ${given === undefined ? 'an Authorization header that is no bearer token' : 'a wrong token'} from ${client} (${request.method} ${path}); ${count} of ${AUTH_FAILURE_LIMIT} allowed within ${AUTH_FAILURE_WINDOW_MS / 1000} s`,
          );
          if (count >= AUTH_FAILURE_LIMIT) {
            options.log(`${client} is answered 429 for ${failures.retryAfter(client)} s`);
          }
        }
        return refuse(reply, 401)
          .header('WWW-Authenticate', 'Bearer realm="flowhawk"')
          .send({
            error:
              header === undefined
                ? 'this server needs a token'
                : given === undefined
                  ? 'the Authorization header holds no bearer token'
                  : 'wrong token',
            hint: 'send Authorization: Bearer TOKEN (the --token or FLOWHAWK_TOKEN the server was started with)',
          });
      }
    }
  };
}

/**
 * A refused request's body is never read, so its connection closes after the answer: kept alive, one
 * whose client is still sending an upload stays busy, and the server's close waits for it forever.
 */
function refuse(reply: FastifyReply, status: number): FastifyReply {
  return reply.code(status).header('Connection', 'close');
}

function hostname(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  return hostHeader.replace(/:\d+$/, '');
}

function sameHost(origin: string, host: string): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
