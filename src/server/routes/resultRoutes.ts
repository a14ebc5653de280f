import type { FastifyInstance } from 'fastify';
import { SEVERITIES, type Severity } from '../../finding.js';
import { OUTPUTS, outputById } from '../../outputs/formats.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../httpError.js';
import { startRendering } from '../reportStream.js';
import { errors, jobIdParams } from '../schemas.js';

interface FindingsQuery {
  severity?: string;
  detector?: string;
  actor?: string;
  q?: string;
  suppressed?: boolean;
  limit: number;
  offset: number;
}

/** A finished job's results: findings (filtered), one finding, the overview, and report downloads. */
export function resultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  /** The job, once a run of it has been stored (a failed re-run keeps the previous run's results). */
  const analysed = async (id: string) => {
    const job = await ctx.store.get(id);
    if (!job) throw new HttpError(404, `no job ${id}`, 'list the jobs with GET /api/jobs');
    const overview = await ctx.store.overview(id);
    if (!overview) {
      throw new HttpError(
        409,
        `job ${id} has no results (it is ${job.status})`,
        job.status === 'failed' ? 'see the job error' : 'wait until it is done',
      );
    }
    return overview;
  };

  app.get<{ Params: { id: string }; Querystring: FindingsQuery }>(
    '/api/jobs/:id/findings',
    {
      schema: {
        summary: "A job's findings, most severe first, filtered",
        tags: ['results'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          properties: {
            severity: { type: 'string', description: `comma-separated: ${SEVERITIES.join(', ')}` },
            detector: { type: 'string', description: 'detector id' },
            actor: { type: 'string', description: 'actor address, exactly' },
            q: { type: 'string', maxLength: 200, description: 'text anywhere in the finding' },
            suppressed: { type: 'boolean', default: false, description: 'include allowlisted findings' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              total: { type: 'integer' },
              findings: { type: 'array', items: { $ref: 'Finding#' } },
            },
          },
          ...errors(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await analysed(id);
      const q = request.query;
      const severities = q.severity ? q.severity.split(',').map((s) => s.trim()) : [];
      const unknown = severities.find((s) => !SEVERITIES.includes(s as Severity));
      if (unknown !== undefined) {
        throw new HttpError(400, `unknown severity "${unknown}"`, `use any of: ${SEVERITIES.join(', ')}`);
      }
      return ctx.store.findings(id, {
        severities: severities as Severity[],
        ...(q.detector ? { detector: q.detector } : {}),
        ...(q.actor ? { actor: q.actor } : {}),
        ...(q.q ? { text: q.q } : {}),
        includeSuppressed: q.suppressed ?? false,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get<{ Params: { id: string; findingId: string } }>(
    '/api/jobs/:id/findings/:findingId',
    {
      schema: {
        summary: 'One finding with its explanation, sub-scores and evidence records',
        tags: ['results'],
        params: {
          type: 'object',
          properties: {
            ...jobIdParams.properties,
            findingId: { type: 'string', pattern: '^[0-9a-zA-Z_-]{1,100}$' },
          },
          required: ['id', 'findingId'],
        },
        response: { 200: { $ref: 'Finding#' }, ...errors(401, 404, 409) },
      },
    },
    async (request) => {
      const { id, findingId } = request.params;
      await analysed(id);
      const finding = await ctx.store.finding(id, findingId);
      if (!finding) throw new HttpError(404, `no finding ${findingId} in job ${id}`);
      return finding;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/overview',
    {
      schema: {
        summary:
          "What the job's data holds: traffic timeline, top talkers and ports, ingest summary, detector runs",
        tags: ['results'],
        params: jobIdParams,
        response: {
          200: {
            type: 'object',
            properties: {
              traffic: { type: ['object', 'null'], additionalProperties: true },
              leaders: { type: ['object', 'null'], additionalProperties: true },
              ingest: { type: ['object', 'null'], additionalProperties: true },
              detectors: { type: 'array', items: { type: 'object', additionalProperties: true } },
              connections: { type: 'integer' },
            },
          },
          ...errors(401, 404, 409),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await analysed(id);
      return ctx.store.overview(id);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { format: string; suppressed?: boolean } }>(
    '/api/jobs/:id/report',
    {
      schema: {
        summary: "The job's report as a file, in any of the CLI's formats",
        tags: ['results'],
        params: jobIdParams,
        querystring: {
          type: 'object',
          properties: {
            format: { type: 'string', enum: OUTPUTS.map((o) => o.id), default: 'html' },
            suppressed: { type: 'boolean', default: false, description: 'include allowlisted findings' },
          },
        },
        produces: OUTPUTS.map((o) => o.contentType),
        response: { 200: { type: 'string' }, ...errors(400, 401, 404, 409, 500) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { format, suppressed } = request.query;
      await analysed(id);
      const output = outputById(format);
      if (!output) throw new HttpError(400, `unknown format "${format}"`);
      // a client that goes away stops the rendering (after a full response the child has exited)
      const gone = new AbortController();
      reply.raw.on('close', () => gone.abort());
      const body = await startRendering(
        [ctx.workspace.jobDir(id), format, suppressed ? '1' : '0'],
        `the ${format} report of job ${id}`,
        ctx.log,
        gone.signal,
      );
      return reply
        .type(output.contentType)
        .header(
          'Content-Disposition',
          `attachment; filename="flowhawk-${id.slice(0, 8)}.${output.extension}"`,
        )
        .send(body);
    },
  );
}
