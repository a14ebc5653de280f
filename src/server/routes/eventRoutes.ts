import type { FastifyInstance } from 'fastify';
import type { JobProgress } from '../apiTypes.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../httpError.js';
import { errors, jobIdParams } from '../schemas.js';

/** A comment line now and then keeps proxies and idle timers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Live progress of one job as server-sent events: `job` (the Job, first and on every status change)
 * and `progress` (JobProgress, on every update from the worker). The stream ends once the job is
 * done or failed.
 */
export function eventRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: { id: string } }>(
    '/api/jobs/:id/events',
    {
      schema: {
        summary: "A job's progress as server-sent events (text/event-stream): `job` and `progress`",
        tags: ['jobs'],
        params: jobIdParams,
        produces: ['text/event-stream'],
        response: { 200: { type: 'string' }, ...errors(401, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await ctx.store.get(id))) throw new HttpError(404, `no job ${id}`);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Content-Type-Options': 'nosniff',
      });
      const send = (event: string, data: unknown) =>
        out.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(keepalive);
        ctx.runner.off('progress', onProgress);
        ctx.runner.off('job', onJob);
        out.end();
      };
      const onProgress = (jobId: string, progress: JobProgress) => {
        if (jobId === id) send('progress', progress);
      };
      const sendJob = async () => {
        const job = await ctx.store.get(id);
        if (closed) return;
        if (!job) return close();
        send('job', ctx.runner.withLiveProgress(job));
        if ((job.status === 'done' || job.status === 'failed') && !ctx.runner.isActive(id)) close();
      };
      const onJob = (jobId: string) => {
        if (jobId === id) void sendJob();
      };
      const keepalive = setInterval(() => out.write(': keepalive\n\n'), KEEPALIVE_MS);
      ctx.runner.on('progress', onProgress);
      ctx.runner.on('job', onJob);
      request.raw.on('close', close);
      await sendJob();
    },
  );
}
