import bytes from 'bytes';
import type { Command } from 'commander';
import { FlowhawkError } from '../errors.js';
import { DEFAULTS, startServer } from '../server/app.js';

interface ServeOptions {
  port: string;
  host: string;
  workspace: string;
  token?: string;
  config?: string;
  maxUploadSize: string;
  maxDecompressedSize: string;
  jobMemory: string;
  jobs: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('the local web page: drop flow log files on it, follow the analysis, explore the findings')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', String(DEFAULTS.port))
    .option('--host <address>', 'address to listen on; anything but loopback needs --token', DEFAULTS.host)
    .option(
      '-w, --workspace <dir>',
      "directory for the jobs' database, uploads and flows",
      'flowhawk-workspace',
    )
    .option('--token <token>', 'bearer token every API call must carry (default: $FLOWHAWK_TOKEN)')
    .option(
      '-c, --config <file>',
      'thresholds, internal networks, allowlist and threat lists for every job (default: ./flowhawk.config.json if present)',
    )
    .option('--max-upload-size <size>', 'largest file accepted, e.g. 10GB', '10GB')
    .option(
      '--max-decompressed-size <size>',
      'largest decompressed size of one file, e.g. 100GB (stops gzip bombs)',
      '100GB',
    )
    .option(
      '--job-memory <size>',
      'DuckDB memory limit of each job: it spills to disk beyond, and a job that needs more fails saying so',
      '512MB',
    )
    .option('--jobs <n>', 'jobs analysed at once', String(DEFAULTS.concurrency))
    .addHelpText(
      'after',
      `
The page and its API (OpenAPI at /api/openapi.json) listen on 127.0.0.1 by default: nothing leaves
this machine. Jobs, their files and findings are kept in the workspace and survive a restart; a job
cut short by a stop is run again.

Exit codes: 0 stopped (Ctrl-C or SIGTERM), 2 usage error (bad option, port in use, non-loopback host without
a token), 3 input error (invalid config, workspace in use by another server).

Examples:
  flowhawk serve                                   # then open http://127.0.0.1:8080/
  flowhawk serve --port 9000 --workspace ~/flowhawk --config flowhawk.config.json
  FLOWHAWK_TOKEN=$(openssl rand -hex 16) flowhawk serve --host 0.0.0.0`,
    )
    .action(async (options: ServeOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new FlowhawkError('USAGE', `--port ${options.port} is not a port number`, 'give 0–65535');
      }
      const jobs = Number(options.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) {
        throw new FlowhawkError('USAGE', `--jobs ${options.jobs} is not a positive whole number`);
      }
      const token = options.token ?? process.env.FLOWHAWK_TOKEN;
      const server = await startServer({
        workspace: options.workspace,
        host: options.host,
        port,
        ...(token ? { token } : {}),
        ...(options.config ? { configPath: options.config } : {}),
        maxUploadBytes: size(options.maxUploadSize, '--max-upload-size'),
        maxDecompressedBytes: size(options.maxDecompressedSize, '--max-decompressed-size'),
        jobMemoryLimit: `${Math.floor(size(options.jobMemory, '--job-memory') / 1024 ** 2)}MiB`,
        concurrency: jobs,
      });
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

function size(text: string, option: string): number {
  const value = bytes.parse(text);
  if (value === null || !Number.isFinite(value) || value <= 0) {
    throw new FlowhawkError('USAGE', `${option} ${text} is not a size`, 'write it like 512MB, 10GB or 1TB');
  }
  return value;
}
