import type { FastifyInstance } from 'fastify';
import { DETECTORS } from '../../detectors/index.js';
import { FORMATS } from '../../outputs/formats.js';
import { VERSION } from '../../version.js';
import type { ServerInfo } from '../apiTypes.js';
import type { ServerContext } from '../context.js';

/** What a client asks first: the server's version, limits and whether it needs a token; the catalogue. */
export function metaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/info',
    {
      schema: {
        summary: 'Version, limits, report formats, and whether API calls need a bearer token (open)',
        tags: ['meta'],
        security: [],
        response: {
          200: {
            type: 'object',
            properties: {
              version: { type: 'string' },
              auth: { type: 'boolean' },
              maxUploadBytes: { type: 'integer' },
              maxDecompressedBytes: { type: 'integer' },
              s3Sources: { type: 'array', items: { type: 'string' } },
              formats: { type: 'array', items: { type: 'string' } },
            },
          },
        },
      },
    },
    async (): Promise<ServerInfo> => ({
      version: VERSION,
      auth: ctx.auth,
      maxUploadBytes: ctx.maxUploadBytes,
      maxDecompressedBytes: ctx.maxDecompressedBytes,
      s3Sources: ctx.s3.sources,
      formats: Object.keys(FORMATS),
    }),
  );

  app.get(
    '/api/detectors',
    {
      schema: {
        summary: 'The detector catalogue: ids, titles, default severities, ATT&CK ids, port charts',
        tags: ['meta'],
        response: {
          200: {
            type: 'object',
            properties: {
              detectors: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    title: { type: 'string' },
                    severity: { type: 'string' },
                    attack: { type: 'array', items: { type: 'string' } },
                    portChart: {
                      type: 'string',
                      enum: ['services', 'sweep', 'evidence'],
                      description:
                        "how a finding's port-coverage chart is read (absent: the detector's findings get none)",
                    },
                  },
                  required: ['id', 'title', 'severity', 'attack'],
                },
              },
            },
          },
        },
      },
    },
    async () => ({
      detectors: DETECTORS.map((d) => ({
        id: d.id,
        title: d.title,
        severity: d.severity,
        attack: d.attack,
        ...(d.portChart ? { portChart: d.portChart } : {}),
      })),
    }),
  );

  app.get(
    '/api/openapi.json',
    { schema: { summary: 'This API as an OpenAPI 3 document (open)', tags: ['meta'], security: [] } },
    async () => app.swagger(),
  );
}
