import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { S3JobRequest } from '../apiTypes.js';
import type { ServerContext } from '../context.js';
import { s3JobSource } from '../s3JobSource.js';
import { errors, s3JobRequest } from '../schemas.js';

/** A job that reads flow logs from S3 with the server's credentials, within the locations it allows. */
export function s3JobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: S3JobRequest }>(
    '/api/jobs/s3',
    {
      schema: {
        summary: 'A new job reading flow logs from S3',
        description:
          "The server lists and reads the objects under `url` with its own AWS credentials, pruned by the window and the accounts and regions as `flowhawk scan s3://…` is; `url` must lie within one of the server's --s3-source locations (GET /api/info lists them). The window's times are fixed when the job is made, so a re-run analyses the same span.",
        tags: ['jobs'],
        body: s3JobRequest,
        response: { 201: { $ref: 'Job#' }, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const source = s3JobSource(request.body, ctx.s3);
      const id = randomUUID();
      ctx.workspace.createJobDir(id);
      try {
        await ctx.store.create({
          id,
          name: request.body.name || source.url,
          files: [],
          allowlist: [],
          source,
        });
      } catch (error) {
        ctx.workspace.removeJob(id);
        throw error;
      }
      ctx.runner.enqueue(id);
      const job = await ctx.store.get(id);
      return reply.code(201).send(job && ctx.runner.withLiveProgress(job));
    },
  );
}
