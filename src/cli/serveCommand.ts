import type { Command } from 'commander';
import { BYTE_SIZE_FORMS, BYTE_SIZE_UNITS_NOTE, formatByteSize, parseByteSize } from '../byteSize.js';
import { FlowhawkError } from '../errors.js';
import { DEFAULTS, MIN_TOKEN_LENGTH, type ServerOptions, startServer } from '../server/app.js';
import { AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW_MS } from '../server/authFailures.js';

export interface ServeOptions {
  port: string;
  host: string;
  workspace: string;
  token?: string;
  config?: string;
  maxUploadSize: string;
  maxDecompressedSize: string;
  jobMemory: string;
  jobs: string;
  s3Source?: string[];
  profile?: string;
  endpointUrl?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the local web page: drop flow log files on it, follow the analysis, explore the findings')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', String(DEFAULTS.port))
    .option(
      '--host <address>',
      `address to listen on; anything but loopback needs a --token of at least ${MIN_TOKEN_LENGTH} characters`,
      DEFAULTS.host,
    )
    .option(
      '-w, --workspace <dir>',
      "directory for the jobs' database, uploads and flows",
      'flowhawk-workspace',
    )
    .option(
      '--token <token>',
      `bearer token every API call must carry (default: $FLOWHAWK_TOKEN); at least ${MIN_TOKEN_LENGTH} characters unless --host is loopback`,
    )
    .option(
      '-c, --config <file>',
      'thresholds, internal networks, allowlist and threat lists for every job (default: ./flowhawk.config.json if present)',
    )
    .option(
      '--max-upload-size <size>',
      `largest file accepted, e.g. 10GiB, 10G or 10GB (${BYTE_SIZE_UNITS_NOTE})`,
      formatByteSize(DEFAULTS.maxUploadBytes),
    )
    .option(
      '--max-decompressed-size <size>',
      `largest decompressed size of one file, stops gzip bombs; e.g. 100G (${BYTE_SIZE_UNITS_NOTE})`,
      formatByteSize(DEFAULTS.maxDecompressedBytes),
    )
    .option(
      '--job-memory <size>',
      `DuckDB memory limit of each job: it spills to disk beyond, and a job that needs more fails saying so; e.g. 1G (${BYTE_SIZE_UNITS_NOTE})`,
      formatByteSize(DEFAULTS.jobMemoryBytes),
    )
    .option('--jobs <n>', 'jobs analysed at once', String(DEFAULTS.concurrency))
    .option(
      '--s3-source <s3url>',
      "an s3:// location the page's S3 jobs may read, with this server's AWS credentials (repeatable; none: no S3 jobs)",
      collect,
    )
    .option('--profile <name>', 'AWS profile for S3 jobs (default: AWS_PROFILE, the default chain)')
    .option(
      '--endpoint-url <url>',
      'an S3-compatible store for S3 jobs, addressed path-style (default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS)',
    )
    .addHelpText(
      'after',
      `
The page and its API (OpenAPI at /api/openapi.json) listen on 127.0.0.1 by default: nothing leaves
this machine. Jobs, their files and findings are kept in the workspace and survive a restart; a job
cut short by a stop is run again.

S3 jobs (POST /api/jobs/s3, or "Read from S3" on the page) read with this server's AWS credentials,
only within the --s3-source locations, pruned by a time window as \`scan s3://… --since\` is.

Sizes: K/M/G/T and KiB/MiB/GiB/TiB are binary (1024-based, as Docker and Java's -Xmx read them),
KB/MB/GB/TB decimal (1000-based); B or no unit is bytes; decimals are fine (1.5GB).

Token: on loopback any token is accepted; on any other --host it must have at least ${MIN_TOKEN_LENGTH} characters.
After ${AUTH_FAILURE_LIMIT} wrong tokens from one address within ${AUTH_FAILURE_WINDOW_MS / 1000} s, that address is answered 429 (with
Retry-After) until the first of them is ${AUTH_FAILURE_WINDOW_MS / 1000} s old; each wrong token is logged to stderr with the
client's address, never the token. Requests without a token are answered 401 and not counted.

Exit codes: 0 stopped (Ctrl-C or SIGTERM), 2 usage error (bad option, port in use, non-loopback host without
a token or with a short one), 3 input error (invalid config, workspace in use by another server).

Examples:
  flowhawk serve                                   # then open http://127.0.0.1:8080/
  flowhawk serve --port 9000 --workspace ~/flowhawk --config flowhawk.config.json
  flowhawk serve --max-upload-size 20G --job-memory 2G
  flowhawk serve --s3-source s3://central-logs/AWSLogs/ --profile security-audit
  FLOWHAWK_TOKEN=$(openssl rand -hex 16) flowhawk serve --host 0.0.0.0`,
    )
    .action(async (options: ServeOptions) => {
      const server = await startServer(serverOptions(options, process.env));
      process.stderr.write(
        `flowhawk: serving ${server.url}/ (workspace ${options.workspace}); Ctrl-C stops\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.stderr.write('flowhawk: stopping; running jobs resume at the next start\n');
          void server.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/** The command's options as the server takes them; a value that is not one is a usage error. */
export function serverOptions(options: ServeOptions, env: NodeJS.ProcessEnv): ServerOptions {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FlowhawkError('USAGE', `--port ${options.port} is not a port number`, 'give 0–65535');
  }
  const jobs = Number(options.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new FlowhawkError('USAGE', `--jobs ${options.jobs} is not a positive whole number`);
  }
  const token = options.token ?? env.FLOWHAWK_TOKEN;
  return {
    workspace: options.workspace,
    host: options.host,
    port,
    ...(token ? { token } : {}),
    ...(options.config ? { configPath: options.config } : {}),
    maxUploadBytes: size(options.maxUploadSize, '--max-upload-size'),
    maxDecompressedBytes: size(options.maxDecompressedSize, '--max-decompressed-size'),
    jobMemoryBytes: size(options.jobMemory, '--job-memory'),
    concurrency: jobs,
    ...(options.s3Source?.length ? { s3Sources: options.s3Source } : {}),
    ...(options.profile ? { s3Profile: options.profile } : {}),
    ...(options.endpointUrl ? { s3EndpointUrl: options.endpointUrl } : {}),
  };
}

function size(text: string, option: string): number {
  const bytes = parseByteSize(text);
  if (bytes === undefined) {
    throw new FlowhawkError('USAGE', `${option} ${text} is not a size`, `write ${BYTE_SIZE_FORMS}`);
  }
  return bytes;
}
