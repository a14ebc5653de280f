import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/server/app.js';

/**
 * Writes docs/openapi.json: the API document the server serves at /api/openapi.json, as served by a
 * server with a token (so it shows the bearer scheme). test/server/openapi.test.ts keeps them equal.
 */
export async function openApiDocument(): Promise<string> {
  const workspace = mkdtempSync(join(tmpdir(), 'flowhawk-openapi-'));
  const server = await startServer({ workspace, port: 0, token: 'documentation' });
  try {
    const doc = (await server.app.swagger()) as { info: { version: string } };
    doc.info.version = 'see `flowhawk --version`';
    return `${JSON.stringify(doc, null, 2)}\n`;
  } finally {
    await server.close();
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('openapiDoc.ts')) {
  writeFileSync(new URL('../docs/openapi.json', import.meta.url), await openApiDocument());
}
