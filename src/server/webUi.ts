import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The web page of `flowhawk serve`: web/index.html, web/app.css, uPlot's stylesheet, and web/main.ts
 * bundled with esbuild once, when the routes are registered, and kept in memory. web/ is found from
 * this file: src/server/webUi.ts (tests, tsx) and dist/server/webUi.js (built) are both two levels
 * below the package root.
 */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/** No inline script or style, nothing from another origin: every value from the API stays text. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface WebAssets {
  html: string;
  js: string;
  css: string;
  uplotCss: string;
}

/**
 * The built package carries the bundle (dist/web/app.js, written by scripts/buildWeb.ts), because the
 * page imports a few pure modules from src/, which is not shipped; from source it is bundled here.
 */
const PREBUILT_BUNDLE = fileURLToPath(new URL('../web/app.js', import.meta.url));

/** web/main.ts and what it imports, as one script; throws with esbuild's messages when it does not build. */
export async function bundleWebApp(webDir = WEB_DIR): Promise<string> {
  const bundle = await build({
    entryPoints: [`${webDir}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    // the bundle must not depend on whatever tsconfig.json lies above an installed package
    tsconfigRaw: {},
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]?.text;
  if (js === undefined) throw new Error(`esbuild wrote no bundle for ${webDir}main.ts`);
  return js;
}

/** Reads the page's files, and its script from the built package or bundled from source. */
export async function buildWebAssets(webDir = WEB_DIR): Promise<WebAssets> {
  const require = createRequire(import.meta.url);
  const [html, css, uplotCss, js] = await Promise.all([
    readFile(`${webDir}index.html`, 'utf8'),
    readFile(`${webDir}app.css`, 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    webDir === WEB_DIR && existsSync(PREBUILT_BUNDLE)
      ? readFile(PREBUILT_BUNDLE, 'utf8')
      : bundleWebApp(webDir),
  ]);
  return { html, js, css, uplotCss };
}

function send(reply: FastifyReply, type: string, body: string, csp?: string) {
  reply
    .header('Content-Type', type)
    .header('Cache-Control', 'no-cache')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer');
  if (csp) reply.header('Content-Security-Policy', csp).header('X-Frame-Options', 'DENY');
  return reply.send(body);
}

export async function registerWebUi(app: FastifyInstance): Promise<void> {
  const assets = await buildWebAssets();
  app.get('/', (_req, reply) => send(reply, 'text/html; charset=utf-8', assets.html, PAGE_CSP));
  app.get('/assets/app.js', (_req, reply) => send(reply, 'text/javascript; charset=utf-8', assets.js));
  app.get('/assets/app.css', (_req, reply) => send(reply, 'text/css; charset=utf-8', assets.css));
  app.get('/assets/uplot.css', (_req, reply) => send(reply, 'text/css; charset=utf-8', assets.uplotCss));
}
