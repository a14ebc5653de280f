import { SEVERITIES } from '../finding.js';
import { JOB_ID_PATTERN } from './workspace.js';

/**
 * JSON Schemas of the API: fastify validates requests and serialises responses with them, and
 * @fastify/swagger turns them into the OpenAPI document (GET /api/openapi.json). Shapes mirror
 * apiTypes.ts and finding.ts; a test compares the API's findings with the JSON report's.
 */
const nullable = (type: string) => ({ type: [type, 'null'] });
const counts = {
  type: 'object',
  properties: Object.fromEntries(SEVERITIES.map((s) => [s, { type: 'integer' }])),
  required: [...SEVERITIES],
};

export const apiError = {
  $id: 'ApiError',
  type: 'object',
  properties: { error: { type: 'string' }, hint: { type: 'string' } },
  required: ['error'],
} as const;

const allowlistEntry = {
  type: 'object',
  description: 'see docs/configuration.md: allowlist',
  properties: {
    reason: { type: 'string' },
    cidr: { type: 'array', items: { type: 'string' } },
    role: { type: 'string', enum: ['actor', 'target', 'either'] },
    port: { type: 'array', items: { type: 'integer' } },
    direction: { type: 'string', enum: ['inbound', 'outbound', 'internal', 'external'] },
    detector: { type: 'array', items: { type: 'string' } },
    interface: { type: 'array', items: { type: 'string' } },
  },
  required: ['reason'],
};

export const jobProgress = {
  $id: 'JobProgress',
  type: 'object',
  properties: {
    stage: { type: 'string', enum: ['queued', 'ingest', 'analyse', 'save', 'done', 'failed'] },
    filesDone: { type: 'integer' },
    filesTotal: { type: 'integer' },
    bytesDone: { type: 'integer' },
    bytesTotal: { type: 'integer' },
    records: { type: 'integer' },
    recordsPerSecond: { type: 'number' },
    at: { type: 'string', format: 'date-time' },
  },
  required: [
    'stage',
    'filesDone',
    'filesTotal',
    'bytesDone',
    'bytesTotal',
    'records',
    'recordsPerSecond',
    'at',
  ],
} as const;

const s3JobSourceProperties = {
  url: { type: 'string', pattern: '^[sS]3://', maxLength: 2048, description: 's3://bucket/prefix/' },
  since: {
    type: 'string',
    maxLength: 64,
    description: 'objects written from this time: ISO time, a duration before now (24h, 7d) or Unix seconds',
  },
  until: { type: 'string', maxLength: 64, description: 'objects written up to this time (same forms)' },
  accounts: { type: 'array', items: { type: 'string', pattern: '^[0-9]{12}$' }, maxItems: 1000 },
  regions: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 100 },
} as const;

/** POST /api/jobs/s3's body. */
export const s3JobRequest = {
  type: 'object',
  additionalProperties: false,
  properties: { name: { type: 'string', maxLength: 200 }, ...s3JobSourceProperties },
  required: ['url'],
} as const;

export const job = {
  $id: 'Job',
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed'] },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: nullable('string'),
    finishedAt: nullable('string'),
    files: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: { type: 'string' }, size: { type: 'integer' } },
        required: ['name', 'size'],
      },
    },
    source: {
      type: ['object', 'null'],
      description: "an S3 job's location and window (times fixed when the job was made); null for an upload",
      properties: s3JobSourceProperties,
      required: ['url'],
    },
    progress: { $ref: 'JobProgress#' },
    error: { ...nullable('string'), description: 'why the job failed: what, where, and what to do' },
    findingCounts: counts,
    suppressedCount: { type: 'integer' },
    allowlist: { type: 'array', items: allowlistEntry },
    runs: { type: 'integer' },
    interruptions: { type: 'integer' },
  },
  required: [
    'id',
    'name',
    'status',
    'createdAt',
    'startedAt',
    'finishedAt',
    'files',
    'source',
    'progress',
    'error',
    'findingCounts',
    'suppressedCount',
    'allowlist',
    'runs',
    'interruptions',
  ],
} as const;

const evidenceRecord = {
  type: 'object',
  properties: {
    file: { type: 'string' },
    line: { type: 'integer' },
    start: nullable('integer'),
    end: nullable('integer'),
    srcAddr: nullable('string'),
    srcPort: nullable('integer'),
    dstAddr: nullable('string'),
    dstPort: nullable('integer'),
    protocol: nullable('integer'),
    packets: nullable('integer'),
    bytes: nullable('integer'),
    action: nullable('string'),
    tcpFlags: nullable('integer'),
    interfaceId: nullable('string'),
    flowDirection: nullable('string'),
    accountId: nullable('string'),
    region: nullable('string'),
    logStatus: { ...nullable('string'), description: 'NODATA or SKIPDATA for a log-status record' },
  },
};

/** Who holds an address (src/finding.ts AddressOwner): every field optional. */
const addressOwner = {
  type: 'object',
  properties: {
    aws: {
      type: 'object',
      properties: {
        service: { type: 'string' },
        region: { type: 'string' },
        networkBorderGroup: { type: 'string' },
      },
    },
    asn: { type: 'integer' },
    asOrg: { type: 'string' },
    country: { type: 'string' },
  },
} as const;

const findingSource = {
  type: 'object',
  properties: {
    actor: { type: 'string' },
    count: { type: 'integer' },
    firstSeen: { type: 'number' },
    lastSeen: { type: 'number' },
    packets: { type: 'integer' },
    bytes: { type: 'integer' },
    owner: addressOwner,
    severity: { type: 'string', enum: [...SEVERITIES] },
    confidence: { type: 'number' },
    id: { type: 'string' },
  },
} as const;

export const finding = {
  $id: 'Finding',
  type: 'object',
  description: 'see src/finding.ts; the same object as in `--format json`',
  properties: {
    id: { type: 'string' },
    detector: { type: 'string' },
    title: { type: 'string' },
    severity: { type: 'string', enum: [...SEVERITIES] },
    confidence: { type: 'number' },
    actor: { type: 'string' },
    target: nullable('string'),
    targetCount: { type: 'integer' },
    direction: { type: 'string', enum: ['inbound', 'outbound', 'internal', 'external'] },
    attack: { type: 'array', items: { type: 'string' } },
    firstSeen: { type: 'number' },
    lastSeen: { type: 'number' },
    count: { type: 'integer' },
    explanation: { type: 'string' },
    subScores: { type: 'object', additionalProperties: { type: 'number' } },
    metrics: { type: 'object', additionalProperties: { type: ['number', 'string'] } },
    limitations: { type: 'array', items: { type: 'string' } },
    evidence: { type: 'array', items: evidenceRecord },
    suppressed: {
      type: 'object',
      properties: { reason: { type: 'string' }, rule: { type: 'integer' } },
    },
    sources: {
      type: 'array',
      items: findingSource,
      description:
        "every source of the traffic, busiest first: a roll-up's members, or a many-sender finding's senders",
    },
    actorOwner: addressOwner,
    targetOwner: addressOwner,
  },
} as const;

export const SHARED_SCHEMAS = [apiError, jobProgress, job, finding];

export const jobIdParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: JOB_ID_PATTERN } },
  required: ['id'],
} as const;

export const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [code, { $ref: 'ApiError#' }]));

export { allowlistEntry };
