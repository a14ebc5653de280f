import type { Finding } from './finding.js';

/**
 * The report model: what one scan produced, as every output format reads it. Its parts are made on
 * different floors (the ingest summary by ingest/, the analysis by engine/, the traffic overview from
 * the store), but their shapes live here, on the ground floor, so that an output depends on the
 * report and not on the code that filled it in.
 */
export interface ScanReport {
  version: string;
  /** ISO time the report was made */
  generatedAt: string;
  analysis: Analysis;
  /** what the scan read; for a re-analysis, what the stored flows came from (when known) */
  ingest?: IngestSummary;
  /** the stored traffic as a whole (timeline, records): when the scan was asked for it */
  traffic?: TrafficOverview;
  /** include suppressed findings, marked with their allowlist reason */
  showSuppressed: boolean;
}

/** The findings a report shows, in the analysis' order (most severe first), one at a time. */
export function* shownFindings(report: ScanReport): Generator<Finding> {
  for (const f of report.analysis.findings) if (report.showSuppressed || !f.suppressed) yield f;
}

// ——— the analysis (engine/analyse.ts) ———

export interface Analysis {
  /** every finding, suppressed ones included (they carry `suppressed`), most severe first */
  findings: Finding[];
  detectors: DetectorRun[];
  connections: number;
  /** the threat lists read for this run, with the entries they could not use */
  threatLists: ThreatListSummary[];
  /** the offline data that named the owners of addresses (actorOwner, targetOwner), with its date */
  enrichment?: EnrichmentSource[];
  /** why an enrichment source was passed over (a damaged refreshed file) */
  enrichmentWarnings?: string[];
  /** the busiest hosts and services, for context (absent in reports made without a store) */
  leaders?: TrafficLeaders;
  elapsedMs: number;
  /** milliseconds per stage: connections (with the network and threat tables), detectors, evidence, leaders */
  stages?: AnalysisStages;
}

export interface DetectorRun {
  id: string;
  /** feature rows the SQL returned, findings the scoring kept */
  candidates: number;
  findings: number;
  suppressed: number;
  elapsedMs: number;
  /** why the detector did not run (disabled, or a required field missing from every record) */
  skipped?: string;
  /** what the detector could not judge although it ran (e.g. hosts without a baseline) */
  note?: string;
}

export interface AnalysisStages {
  connections: number;
  detectors: number;
  evidence: number;
  leaders: number;
}

/** The busiest hosts and services of the analysed connections. */
export interface TrafficLeaders {
  /** hosts by bytes they sent and received, either end of their connections */
  talkers: { addr: string; internal: boolean; bytes: number; connections: number }[];
  /** server ports by connections */
  ports: { port: number; protocol: number; connections: number; bytes: number }[];
}

/** What one threat list gave (threatintel/): bad entries are reported here, never thrown. */
export interface ThreatListSummary {
  name: string;
  /** one of threatintel's THREAT_LIST_KINDS: c2, tor, mining, scanner, other */
  kind: string;
  source: string;
  entries: number;
  /** STIX indicators not about addresses (domains, URLs, hashes) or revoked */
  ignored: number;
  problemCount: number;
  /** the first problems (threatintel's MAX_PROBLEMS_KEPT) */
  problems: ListProblem[];
}

export interface ListProblem {
  /** `line 12`, `objects[3]` or `[7]` */
  where: string;
  text: string;
  reason: string;
}

/** One data set an enrichment came from, for the report's sources and attribution. */
export interface EnrichmentSource {
  name: string;
  /** Date of the data (not of the download), ISO 8601. */
  date: string;
  licence: string;
  url: string;
  /** The credit the licence asks for, to print wherever the data's results are shown. */
  attribution: string;
}

// ——— the ingest summary (ingest/summary.ts) ———

/** The ingest summary; `flowhawk ingest --json` prints it, and scripts rely on these names. */
export interface IngestSummary {
  files: number;
  filesSkipped: SkippedFile[];
  filesUnreadable: UnreadableFile[];
  records: number;
  badLines: number;
  badLineExamples: BadLineExample[];
  nodata: number;
  skipdata: number;
  headers: number;
  timeSpan: { start: string | null; end: string | null };
  interfaces: number;
  accounts: string[];
  regions: string[];
  fieldsPresent: string[];
  fieldsMissing: { field: string; effect: string }[];
  warnings: string[];
  perFile: FileSummary[];
  elapsedMs: number;
  recordsPerSecond: number;
  peakRssBytes: number;
}

export interface FileSummary {
  path: string;
  /** the id of the reader that read it (readers/index.ts), or 'unknown' */
  format: string;
  records: number;
  badLines: number;
  nodata: number;
  skipdata: number;
}

export interface BadLineExample {
  file: string;
  line: number;
  reason: string;
  excerpt: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
  /** for duplicates: the file with the same content that was read */
  sameAs?: string;
}

/** A file or folder that could not be read (permission denied, a dangling symlink …): the run went on. */
export interface UnreadableFile {
  path: string;
  reason: string;
}

// ——— the traffic overview (store/trafficOverview.ts) ———

/** What a store holds, for the report's overview and traffic timeline: read from `flows` only. */
export interface TrafficOverview {
  records: number;
  /** Unix seconds; null when no record has a time */
  start: number | null;
  end: number | null;
  interfaces: number;
  /** records and bytes per bucket, bucket starts in Unix seconds */
  bucketSeconds: number;
  buckets: { t: number; records: number; bytes: number }[];
}
