import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../config/config.js';
import { DETECTORS } from '../detectors/index.js';
import { FlowhawkError } from '../errors.js';
import { isS3Url, parseS3Url } from '../sources/s3Url.js';
import { VERSION } from '../version.js';
import type { ServerContext, ServerLog } from './context.js';
import { type GuardOptions, isLoopback, requestGuard } from './guard.js';
import { HttpError } from './httpError.js';
import { JobRunner } from './jobRunner.js';
import { JobStore } from './jobStore.js';
import { eventRoutes } from './routes/eventRoutes.js';
import { jobRoutes } from './routes/jobRoutes.js';
import { metaRoutes } from './routes/metaRoutes.js';
import { resultRoutes } from './routes/resultRoutes.js';
import { s3JobRoutes } from './routes/s3JobRoutes.js';
import { SHARED_SCHEMAS } from './schemas.js';
import type { ServerS3 } from './serverS3.js';
import { registerWebUi } from './webUi.js';
import { Workspace } from './workspace.js';

export interface ServerOptions {
  /** directory for the jobs database and the jobs' files (made if missing) */
  workspace: string;
  /** default 127.0.0.1 */
  host?: string;
  /** default 8080; 0 picks a free port */
  port?: number;
  /** bearer token for every API call; required when `host` is not loopback */
  token?: string;
  /** largest accepted file (bytes) */
  maxUploadBytes?: number;
  /** largest decompressed size of one file (bytes): stops gzip bombs */
  maxDecompressedBytes?: number;
  /** config file for thresholds, internal networks, allowlist and threat lists */
  configPath?: string;
  /** DuckDB memory limit per job (bytes) */
  jobMemoryBytes?: number;
  /** jobs analysed at once */
  concurrency?: number;
  /** s3:// locations the server's jobs may read (POST /api/jobs/s3); none: S3 jobs are refused */
  s3Sources?: string[];
  /** how the server reaches S3 for those jobs (default: the SDK's chain, AWS_ENDPOINT_URL_S3, …) */
  s3Profile?: string;
  s3EndpointUrl?: string;
  /** where refusals and clean-ups are told (default: stderr, one `flowhawk: ` line each) */
  log?: ServerLog;
}

/** Binary sizes: what the `bytes` package made of the documented '10GB', '100GB', '512MB' before. */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxUploadBytes: 10 * 1024 ** 3,
  maxDecompressedBytes: 100 * 1024 ** 3,
  jobMemoryBytes: 512 * 1024 ** 2,
  concurrency: 1,
} as const;

/** Shortest token accepted beyond loopback: 16 random characters are far beyond guessing at 10 a minute. */
export const MIN_TOKEN_LENGTH = 16;

const stderrLog: ServerLog = (message) => {
  process.stderr.write(`flowhawk: ${message}\n`);
};

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** stops listening and the job workers; running jobs are resumed by the next start */
  close(): Promise<void>;
}

/** `flowhawk serve`: the web page and its JSON API over one workspace. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULTS.host;
  checkToken(host, options.token);
  const log = options.log ?? stderrLog;
  // every job reads the config again (edits apply to the next job); a broken one is refused now, not per job
  loadConfig(DETECTORS, options.configPath);
  const s3 = serverS3(options);
  const workspace = new Workspace(options.workspace);
  const store = await JobStore.open(workspace.database);
  // the database is ours alone now (JobStore.open refuses a workspace in use), so no upload is under way
  await removeUnfinishedUploads(store, workspace, log);
  const maxDecompressedBytes = options.maxDecompressedBytes ?? DEFAULTS.maxDecompressedBytes;
  const runner = new JobRunner(store, workspace, {
    s3,
    ...(options.configPath ? { configPath: options.configPath } : {}),
    maxDecompressedBytes,
    jobMemoryBytes: options.jobMemoryBytes ?? DEFAULTS.jobMemoryBytes,
    concurrency: options.concurrency ?? DEFAULTS.concurrency,
  });
  const ctx: ServerContext = {
    store,
    runner,
    workspace,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULTS.maxUploadBytes,
    maxDecompressedBytes,
    auth: options.token !== undefined,
    log,
    s3,
  };
  const app = await buildApp(ctx, { host, log, ...(options.token ? { token: options.token } : {}) });
  try {
    await app.listen({ host, port: options.port ?? DEFAULTS.port });
  } catch (error) {
    store.close();
    throw new FlowhawkError(
      'USAGE',
      `cannot listen on ${host}:${options.port ?? DEFAULTS.port}: ${(error as Error).message}`,
      'is the port in use? Give another --port',
    );
  }
  await runner.recover();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    app,
    async close() {
      await runner.stop();
      await app.close();
      store.close();
    },
  };
}

/** Beyond loopback anyone who can reach the port can try tokens: none, or a short one, is refused. */
function checkToken(host: string, token: string | undefined): void {
  if (isLoopback(host)) return;
  if (!token) {
    throw new FlowhawkError(
      'USAGE',
      `refusing to listen on ${host} without a token: anyone who can reach it could read your flow logs`,
      'give --token (or FLOWHAWK_TOKEN), or keep the default --host 127.0.0.1',
    );
  }
  const length = [...token].length;
  if (length < MIN_TOKEN_LENGTH) {
    throw new FlowhawkError(
      'USAGE',
      `refusing to listen on ${host} with a token of ${length} characters: one shorter than ${MIN_TOKEN_LENGTH} can be guessed by anyone who can reach the port`,
      'make one with `openssl rand -hex 16` (32 characters) and give it as --token or FLOWHAWK_TOKEN',
    );
  }
}

/**
 * A server killed during an upload leaves the upload's directory and no job (the job is recorded
 * once its files are in): nothing will ever read or delete it, so it goes at the next start.
 */
/** The S3 side of the options, each allowed location checked to be one (a USAGE error names it). */
function serverS3(options: ServerOptions): ServerS3 {
  const sources = options.s3Sources ?? [];
  for (const source of sources) {
    if (!isS3Url(source)) {
      throw new FlowhawkError(
        'USAGE',
        `--s3-source ${source} is not an s3:// location`,
        'write s3://BUCKET/PREFIX/',
      );
    }
    parseS3Url(source);
  }
  return {
    sources,
    ...(options.s3Profile ? { profile: options.s3Profile } : {}),
    ...(options.s3EndpointUrl ? { endpointUrl: options.s3EndpointUrl } : {}),
  };
}

async function removeUnfinishedUploads(store: JobStore, workspace: Workspace, log: ServerLog): Promise<void> {
  const jobs = new Set((await store.list()).map((job) => job.id));
  const stray = workspace.jobIds().filter((id) => !jobs.has(id));
  for (const id of stray) workspace.removeJob(id);
  if (stray.length > 0) {
    log(
      `removed ${stray.length} unfinished upload(s) a previous server left when it stopped: ${stray.map((id) => `jobs/${id}`).join(', ')}`,
    );
  }
}

async function buildApp(ctx: ServerContext, guard: GuardOptions): Promise<FastifyInstance> {
  // a stop ends every connection: one a client opened and never used would hold close() for the
  // 60 s of Node's headers timeout, and event streams would hold it as long as their jobs run
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });
  await app.register(swagger, {
    // the page's own files (webUi.ts) carry no tag: the document is the JSON API only
    hideUntagged: true,
    openapi: {
      info: {
        title: 'flowhawk API',
        version: VERSION,
        description:
          'Upload flow logs, follow their analysis, read the findings and download reports. ' +
          'The page at / uses exactly these calls.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: ctx.auth ? [{ bearer: [] }] : [],
    },
    transformObject: (document) =>
      withUploadBody(('openapiObject' in document ? document.openapiObject : {}) as OpenApiDoc) as never,
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(multipart);
  app.addHook('onRequest', requestGuard(guard));
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof HttpError) {
      return reply
        .code(error.statusCode)
        .send({ error: error.message, ...(error.hint ? { hint: error.hint } : {}) });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.code(status).send({ error: (error as Error).message });
    }
    return reply.code(500).send({ error: `internal error: ${(error as Error).message}` });
  });
  metaRoutes(app, ctx);
  jobRoutes(app, ctx);
  s3JobRoutes(app, ctx);
  eventRoutes(app, ctx);
  resultRoutes(app, ctx);
  await registerWebUi(app);
  return app;
}

type OpenApiDoc = { paths?: Record<string, Record<string, Record<string, unknown>>> };

/** Multipart bodies are streamed by hand, not validated by a schema, so the document says what to send. */
function withUploadBody(doc: OpenApiDoc): OpenApiDoc {
  const post = doc.paths?.['/api/jobs']?.post;
  if (post) {
    post.requestBody = {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'job name (default: the first file name)' },
              files: { type: 'array', items: { type: 'string', format: 'binary' } },
            },
            required: ['files'],
          },
        },
      },
    };
  }
  return doc;
}
