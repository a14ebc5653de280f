import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AllowlistEntry } from '../../config/config.js';
import { resolveConfig } from '../../config/config.js';
import { DETECTORS } from '../../detectors/index.js';
import { FlowhawkError } from '../../errors.js';
import type { Job, RerunRequest } from '../apiTypes.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../httpError.js';
import { allowlistEntry, errors, jobIdParams } from '../schemas.js';
import { receiveUpload } from '../uploads.js';

/** Jobs: upload files (one job), list, read, re-run with another allowlist, delete. */
export function jobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const live = (job: Job): Job => ctx.runner.withLiveProgress(job);
  const found = async (id: string): Promise<Job> => {
    const job = await ctx.store.get(id);
    if (!job) throw new HttpError(404, `no job ${id}`, 'list the jobs with GET /api/jobs');
    return live(job);
  };

  app.post(
    '/api/jobs',
    {
      schema: {
        summary: 'Upload flow log files as a new job',
        description:
          'multipart/form-data: an optional text field `name`, then one or more file parts (any field name). ' +
          "Each part's filename is kept as display text only. The job is analysed in the background.",
        tags: ['jobs'],
        consumes: ['multipart/form-data'],
        response: { 201: { $ref: 'Job#' }, ...errors(400, 401, 413) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) {
        throw new HttpError(415, 'expected multipart/form-data', 'send the files as form parts');
      }
      const id = randomUUID();
      try {
        const upload = await receiveUpload(request, ctx.workspace, id, ctx.maxUploadBytes);
        const first = upload.files[0]?.name ?? 'upload';
        const more = upload.files.length > 1 ? ` and ${upload.files.length - 1} more` : '';
        await ctx.store.create({
          id,
          name: upload.name || `${first}${more}`,
          files: upload.files,
          allowlist: [],
        });
      } catch (error) {
        ctx.workspace.removeJob(id);
        throw error;
      }
      ctx.runner.enqueue(id);
      return reply.code(201).send(await found(id));
    },
  );

  app.get(
    '/api/jobs',
    {
      schema: {
        summary: 'List jobs, newest first',
        tags: ['jobs'],
        response: {
          200: { type: 'object', properties: { jobs: { type: 'array', items: { $ref: 'Job#' } } } },
          ...errors(401),
        },
      },
    },
    async () => ({ jobs: (await ctx.store.list()).map(live) }),
  );

  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'One job, with its live progress',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 200: { $ref: 'Job#' }, ...errors(401, 404) },
      },
    },
    async (request) => found(request.params.id),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/jobs/:id',
    {
      schema: {
        summary: 'Delete a job: stops it if it runs, removes its files, flows and findings',
        tags: ['jobs'],
        params: jobIdParams,
        response: { 204: { type: 'null' }, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await found(id);
      await ctx.runner.cancel(id);
      await ctx.store.delete(id);
      ctx.workspace.removeJob(id);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { id: string }; Body: RerunRequest }>(
    '/api/jobs/:id/rerun',
    {
      schema: {
        summary: "Analyse the job's flows again with another allowlist (files are not read again)",
        tags: ['jobs'],
        params: jobIdParams,
        body: {
          type: 'object',
          properties: { allowlist: { type: 'array', items: allowlistEntry } },
          required: ['allowlist'],
        },
        response: { 202: { $ref: 'Job#' }, ...errors(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const job = await found(id);
      if (ctx.runner.isActive(id)) {
        throw new HttpError(409, `job ${id} is ${job.status}`, 'wait until it is done or failed');
      }
      const allowlist = validAllowlist(request.body.allowlist);
      await ctx.store.requeue(id, { allowlist });
      ctx.runner.enqueue(id);
      return reply.code(202).send(await found(id));
    },
  );
}

/** The allowlist checked as the config file's is, so its errors read the same. */
function validAllowlist(raw: unknown[]): AllowlistEntry[] {
  try {
    return [...resolveConfig(DETECTORS, { allowlist: raw }, 'allowlist').allowlist];
  } catch (error) {
    if (error instanceof FlowhawkError) throw new HttpError(400, error.message, error.hint);
    throw error;
  }
}
