import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { AllowlistEntry } from '../config/config.js';
import { FlowhawkError } from '../errors.js';
import { type Finding, SEVERITIES, type Severity, severityRank } from '../finding.js';
import type {
  FindingsPage,
  Job,
  JobFile,
  JobOverview,
  JobProgress,
  JobStatus,
  S3JobSource,
} from './apiTypes.js';
import type { RunOutputs } from './jobResult.js';

/**
 * The server's jobs, their files and findings, in one DuckDB file in the workspace. The server
 * process is the only writer; every call goes through one queue so statements never interleave.
 */
const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS jobs (
     id VARCHAR NOT NULL, name VARCHAR NOT NULL, status VARCHAR NOT NULL, created_at VARCHAR NOT NULL,
     started_at VARCHAR, finished_at VARCHAR, files VARCHAR NOT NULL, progress VARCHAR NOT NULL,
     error VARCHAR, allowlist VARCHAR NOT NULL, runs INTEGER NOT NULL, interruptions INTEGER NOT NULL,
     ingested BOOLEAN NOT NULL, finding_counts VARCHAR NOT NULL, suppressed_count INTEGER NOT NULL,
     overview VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS job_findings (
     job_id VARCHAR NOT NULL, seq INTEGER NOT NULL, id VARCHAR NOT NULL, detector VARCHAR NOT NULL,
     severity VARCHAR NOT NULL, severity_rank INTEGER NOT NULL, actor VARCHAR NOT NULL, target VARCHAR,
     suppressed BOOLEAN NOT NULL, body VARCHAR NOT NULL)`,
  // added after the first release: a workspace made before S3 jobs gains it, last, like a new one
  `ALTER TABLE jobs ADD COLUMN IF NOT EXISTS source VARCHAR`,
];

export interface FindingFilter {
  severities?: readonly Severity[];
  detector?: string;
  actor?: string;
  /** free text, matched case-insensitively anywhere in the finding */
  text?: string;
  includeSuppressed?: boolean;
  limit: number;
  offset: number;
}

export function emptyProgress(stage: JobProgress['stage'] = 'queued'): JobProgress {
  return {
    stage,
    filesDone: 0,
    filesTotal: 0,
    bytesDone: 0,
    bytesTotal: 0,
    records: 0,
    recordsPerSecond: 0,
    at: new Date().toISOString(),
  };
}

export function zeroCounts(): Record<Severity, number> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
}

type Row = Record<string, unknown>;

export class JobStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(path: string): Promise<JobStore> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, { threads: '1', memory_limit: '128MB' });
    } catch (error) {
      throw new FlowhawkError(
        'WORKSPACE_OPEN',
        `cannot open the server database ${path}: ${(error as Error).message}`,
        'is another `flowhawk serve` using this workspace? Stop it or give another --workspace',
      );
    }
    const connection = await instance.connect();
    for (const sql of SCHEMA) await connection.run(sql);
    return new JobStore(instance, connection);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Statements one after another: the DuckDB connection is shared by every request. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private rows(sql: string, params: DuckDBValue[] = []): Promise<Row[]> {
    return this.serial(async () => (await this.connection.runAndReadAll(sql, params)).getRowObjectsJS());
  }

  private run(sql: string, params: DuckDBValue[] = []): Promise<void> {
    return this.serial(async () => {
      await this.connection.run(sql, params);
    });
  }

  async create(job: {
    id: string;
    name: string;
    files: JobFile[];
    allowlist: AllowlistEntry[];
    source?: S3JobSource;
  }) {
    await this.run(
      `INSERT INTO jobs VALUES ($1, $2, 'queued', $3, NULL, NULL, $4, $5, NULL, $6, 0, 0, false, $7, 0, NULL, $8)`,
      [
        job.id,
        job.name,
        new Date().toISOString(),
        JSON.stringify(job.files),
        JSON.stringify(emptyProgress()),
        JSON.stringify(job.allowlist),
        JSON.stringify(zeroCounts()),
        job.source ? JSON.stringify(job.source) : null,
      ],
    );
  }

  async list(): Promise<Job[]> {
    const rows = await this.rows(`SELECT * EXCLUDE (overview) FROM jobs ORDER BY created_at DESC, id`);
    return rows.map(toJob);
  }

  async get(id: string): Promise<Job | undefined> {
    const [row] = await this.rows(`SELECT * EXCLUDE (overview) FROM jobs WHERE id = $1`, [id]);
    return row ? toJob(row) : undefined;
  }

  async isIngested(id: string): Promise<boolean> {
    const [row] = await this.rows(`SELECT ingested FROM jobs WHERE id = $1`, [id]);
    return row?.ingested === true;
  }

  async markRunning(id: string, progress: JobProgress): Promise<void> {
    await this.run(
      `UPDATE jobs SET status = 'running', started_at = $2, finished_at = NULL, error = NULL,
         progress = $3, runs = runs + 1 WHERE id = $1`,
      [id, new Date().toISOString(), JSON.stringify(progress)],
    );
  }

  async saveProgress(id: string, progress: JobProgress): Promise<void> {
    await this.run(`UPDATE jobs SET progress = $2 WHERE id = $1`, [id, JSON.stringify(progress)]);
  }

  async markIngested(id: string, ingested: boolean): Promise<void> {
    await this.run(`UPDATE jobs SET ingested = $2 WHERE id = $1`, [id, ingested]);
  }

  async markFailed(id: string, error: string, progress: JobProgress): Promise<void> {
    await this.run(
      `UPDATE jobs SET status = 'failed', error = $2, finished_at = $3, progress = $4 WHERE id = $1`,
      [id, error, new Date().toISOString(), JSON.stringify(progress)],
    );
  }

  /** Queues the job again; `interrupted` counts a run cut short by a server stop. */
  async requeue(id: string, options: { interrupted?: boolean; allowlist?: AllowlistEntry[] } = {}) {
    const params: DuckDBValue[] = [id, JSON.stringify(emptyProgress()), options.interrupted ? 1 : 0];
    let allowlist = '';
    if (options.allowlist) {
      params.push(JSON.stringify(options.allowlist));
      allowlist = ', allowlist = $4';
    }
    await this.run(
      `UPDATE jobs SET status = 'queued', error = NULL, finished_at = NULL, progress = $2,
         interruptions = interruptions + $3${allowlist} WHERE id = $1`,
      params,
    );
  }

  /**
   * Stores a finished run: its findings (replacing the previous run's), streamed from the worker's
   * NDJSON a line at a time so the server never holds them all (ten million flows can make 60 MB of
   * findings), and its overview.
   */
  async saveResult(id: string, outputs: RunOutputs, progress: JobProgress): Promise<void> {
    const overview = readFileSync(outputs.overview, 'utf8');
    await this.serial(async () => {
      const c = this.connection;
      await c.run('BEGIN TRANSACTION');
      try {
        await c.run('DELETE FROM job_findings WHERE job_id = $1', [id]);
        const counts = zeroCounts();
        let suppressed = 0;
        const appender = await c.createAppender('job_findings');
        const lines = createInterface({ input: createReadStream(outputs.findings), crlfDelay: Infinity });
        for await (const line of lines) {
          if (line === '') continue;
          const { seq, finding: f } = JSON.parse(line) as { seq: number; finding: Finding };
          appender.appendVarchar(id);
          appender.appendInteger(seq);
          appender.appendVarchar(f.id);
          appender.appendVarchar(f.detector);
          appender.appendVarchar(f.severity);
          appender.appendInteger(severityRank(f.severity));
          appender.appendVarchar(f.actor);
          if (f.target === null) appender.appendNull();
          else appender.appendVarchar(f.target);
          appender.appendBoolean(f.suppressed !== undefined);
          appender.appendVarchar(JSON.stringify(f));
          appender.endRow();
          if (f.suppressed) suppressed++;
          else counts[f.severity]++;
        }
        appender.closeSync();
        await c.run(
          `UPDATE jobs SET status = 'done', error = NULL, finished_at = $2, progress = $3,
             finding_counts = $4, suppressed_count = $5, overview = $6 WHERE id = $1`,
          [
            id,
            new Date().toISOString(),
            JSON.stringify(progress),
            JSON.stringify(counts),
            suppressed,
            overview,
          ],
        );
        await c.run('COMMIT');
      } catch (error) {
        await c.run('ROLLBACK');
        throw error;
      }
    });
  }

  async overview(id: string): Promise<JobOverview | undefined> {
    const [row] = await this.rows(`SELECT overview FROM jobs WHERE id = $1`, [id]);
    return typeof row?.overview === 'string' ? (JSON.parse(row.overview) as JobOverview) : undefined;
  }

  async findings(id: string, filter: FindingFilter): Promise<FindingsPage> {
    const where = ['job_id = $1'];
    const params: DuckDBValue[] = [id];
    const bind = (value: DuckDBValue) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (!filter.includeSuppressed) where.push('NOT suppressed');
    if (filter.severities && filter.severities.length > 0) {
      where.push(`severity IN (${filter.severities.map((s) => bind(s)).join(', ')})`);
    }
    if (filter.detector) where.push(`detector = ${bind(filter.detector)}`);
    if (filter.actor) where.push(`actor = ${bind(filter.actor)}`);
    if (filter.text) {
      // the text is a value, never SQL; its own % and _ are escaped so they match themselves
      const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(`body ILIKE ${bind(pattern)} ESCAPE '\\'`);
    }
    const clause = where.join(' AND ');
    const [count] = await this.rows(`SELECT count(*) AS n FROM job_findings WHERE ${clause}`, params);
    const rows = await this.rows(
      `SELECT body FROM job_findings WHERE ${clause}
       ORDER BY severity_rank DESC, seq LIMIT ${Math.trunc(filter.limit)} OFFSET ${Math.trunc(filter.offset)}`,
      params,
    );
    return {
      total: Number(count?.n ?? 0),
      findings: rows.map((r) => JSON.parse(r.body as string) as Finding),
    };
  }

  async finding(id: string, findingId: string): Promise<Finding | undefined> {
    const [row] = await this.rows(`SELECT body FROM job_findings WHERE job_id = $1 AND id = $2`, [
      id,
      findingId,
    ]);
    return row ? (JSON.parse(row.body as string) as Finding) : undefined;
  }

  async delete(id: string): Promise<void> {
    await this.run('DELETE FROM job_findings WHERE job_id = $1', [id]);
    await this.run('DELETE FROM jobs WHERE id = $1', [id]);
  }

  async withStatus(...statuses: JobStatus[]): Promise<Job[]> {
    const all = await this.list();
    return all.filter((j) => statuses.includes(j.status)).reverse();
  }
}

function toJob(row: Row): Job {
  return {
    id: row.id as string,
    name: row.name as string,
    status: row.status as JobStatus,
    createdAt: row.created_at as string,
    startedAt: (row.started_at as string | null) ?? null,
    finishedAt: (row.finished_at as string | null) ?? null,
    files: JSON.parse(row.files as string) as JobFile[],
    source: row.source ? (JSON.parse(row.source as string) as S3JobSource) : null,
    progress: JSON.parse(row.progress as string) as JobProgress,
    error: (row.error as string | null) ?? null,
    findingCounts: JSON.parse(row.finding_counts as string) as Record<Severity, number>,
    suppressedCount: Number(row.suppressed_count),
    allowlist: JSON.parse(row.allowlist as string) as AllowlistEntry[],
    runs: Number(row.runs),
    interruptions: Number(row.interruptions),
  };
}
