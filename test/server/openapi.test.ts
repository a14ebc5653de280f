import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../scripts/openapiDoc.js';

type Operation = { summary?: string; responses?: Record<string, unknown>; security?: unknown[] };
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: unknown };
};

describe('the API document', () => {
  it('describes every operation the page uses, with a summary and its responses', async () => {
    const doc = JSON.parse(await openApiDocument()) as Doc;
    expect(doc.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'DELETE /api/jobs/{id}',
        'GET /api/detectors',
        'GET /api/info',
        'GET /api/jobs',
        'GET /api/jobs/{id}',
        'GET /api/jobs/{id}/events',
        'GET /api/jobs/{id}/findings',
        'GET /api/jobs/{id}/findings/{findingId}',
        'GET /api/jobs/{id}/overview',
        'GET /api/jobs/{id}/report',
        'GET /api/openapi.json',
        'POST /api/jobs',
        'POST /api/jobs/s3',
        'POST /api/jobs/{id}/rerun',
      ].sort(),
    );
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(JSON.stringify(doc.paths['/api/jobs']?.post)).toContain('multipart/form-data');
    expect(doc.components.securitySchemes).toMatchObject({ bearer: { type: 'http', scheme: 'bearer' } });
  });

  it('is committed as docs/openapi.json, equal to what the server serves', async () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed, 'regenerate with: node --import tsx scripts/openapiDoc.ts').toBe(
      await openApiDocument(),
    );
  });
});
