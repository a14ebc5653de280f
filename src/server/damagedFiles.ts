import { FlowhawkError } from '../errors.js';
import type { IngestSummary } from '../report.js';

/** A file of a job that gave fewer records than it holds: not a flow log, or a gzip stream that broke. */
export interface DamagedFile {
  file: string;
  reason: string;
  /** records read from it all the same (the lines before a gzip stream broke) */
  records: number;
}

const FORMATS_HINT =
  'check these are VPC flow logs (text or gzip, Parquet, CloudWatch/Firehose JSON, Zeek conn, Argus)';

/** Each damaged file of an ingest, with why. */
export function damagedFiles(summary: IngestSummary): DamagedFile[] {
  const gzipFailures = new Map(
    summary.badLineExamples.filter((b) => b.reason.startsWith('gzip stream')).map((b) => [b.file, b.reason]),
  );
  const out: DamagedFile[] = summary.filesUnreadable.map((u) => ({
    file: u.path,
    reason: `could not be read (${u.reason})`,
    records: 0,
  }));
  for (const file of summary.perFile) {
    const gzip = gzipFailures.get(file.path);
    if (gzip) out.push({ file: file.path, reason: gzip, records: file.records });
    else if (file.records === 0 && file.badLines > 0)
      out.push({
        file: file.path,
        reason: `${file.format === 'unknown' ? 'not recognised as a flow log' : 'no valid record'} (${file.badLines} bad line(s))`,
        records: 0,
      });
  }
  return out;
}

/**
 * One damaged file does not sink a job of many: the job fails only when no file gave a record
 * (NODATA and SKIPDATA ones count, as in the CLI: loghealth analyses them), since then there is
 * nothing to analyse. Otherwise each damaged file is added to the summary's
 * warnings, which the page and every report show, so what was left out is never silent.
 */
export function judgeDamage(summary: IngestSummary): void {
  const damaged = damagedFiles(summary);
  if (damaged.length === 0) return;
  const listed = damaged.map((d) => `"${d.file}": ${d.reason}`);
  if (summary.records + summary.nodata + summary.skipdata === 0) {
    throw new FlowhawkError(
      'INPUT',
      `no file of this job holds a readable flow record; ${damaged.length} of ${summary.perFile.length} file(s) could not be read as flow logs: ${listed.join('; ')}`,
      `${FORMATS_HINT}; delete the job and upload them again, re-downloaded, or with other files`,
    );
  }
  for (const [i, d] of damaged.entries()) {
    const kept =
      d.records === 0 ? 'none of its records is analysed' : `${d.records} record(s) of it are analysed`;
    summary.warnings.push(`${listed[i]} — ${kept}; ${FORMATS_HINT}, or re-download it`);
  }
}
