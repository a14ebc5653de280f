import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';

export interface GuardOptions {
  /** the address the server listens on */
  host: string;
  /** bearer token every API call must carry; none when absent */
  token?: string;
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
 * - with a token, every API call but the open ones carries `Authorization: Bearer TOKEN`.
 */
export function requestGuard(options: GuardOptions) {
  const loopbackOnly = isLoopback(options.host);
  const expected = options.token ? Buffer.from(options.token) : undefined;
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const host = request.headers.host ?? '';
    if (loopbackOnly && !isLoopback(hostname(host))) {
      return reply.code(421).send({
        error: `this server answers only to localhost, not to Host "${host}"`,
        hint: 'open it as http://127.0.0.1:PORT/ or http://localhost:PORT/',
      });
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !['GET', 'HEAD'].includes(request.method) && !sameHost(origin, host)) {
      return reply.code(403).send({
        error: `requests from ${origin} may not change anything here`,
        hint: 'use the page this server serves, or a client that sends no Origin header',
      });
    }
    const path = request.url.split('?')[0] ?? '';
    if (expected && path.startsWith('/api/') && !OPEN_PATHS.has(path)) {
      const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const ok = given !== undefined && safeEqual(Buffer.from(given), expected);
      if (!ok) {
        return reply
          .code(401)
          .header('WWW-Authenticate', 'Bearer realm="flowhawk"')
          .send({
            error: given === undefined ? 'this server needs a token' : 'wrong token',
            hint: 'send Authorization: Bearer TOKEN (the --token or FLOWHAWK_TOKEN the server was started with)',
          });
      }
    }
  };
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
