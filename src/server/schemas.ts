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
