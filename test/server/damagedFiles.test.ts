import { describe, expect, it } from 'vitest';
import type { FileSummary, IngestSummary } from '../../src/report.js';
import { judgeDamage } from '../../src/server/damagedFiles.js';

function summary(perFile: Partial<FileSummary>[], gzipFailures: Record<string, string> = {}): IngestSummary {
  const files = perFile.map((f) => ({
    path: 'f',
    format: 'vpc-text' as const,
    records: 0,
    badLines: 0,
    nodata: 0,
    skipdata: 0,
    ...f,
  }));
  return {
    files: files.length,
    filesSkipped: [],
    filesUnreadable: [],
    records: files.reduce((n, f) => n + f.records, 0),
    badLines: files.reduce((n, f) => n + f.badLines, 0),
    badLineExamples: Object.entries(gzipFailures).map(([file, reason]) => ({
      file,
      line: 0,
      reason,
      excerpt: '',
    })),
    nodata: 0,
    skipdata: 0,
    headers: 0,
    timeSpan: { start: null, end: null },
    interfaces: 0,
    accounts: [],
    regions: [],
    fieldsPresent: [],
    fieldsMissing: [],
    warnings: [],
    perFile: files,
    elapsedMs: 0,
    recordsPerSecond: 0,
    peakRssBytes: 0,
  };
}

describe('judgeDamage: which damage fails a job', () => {
  it('keeps a job whose other files gave records, and names each damaged file with what was kept of it', () => {
    const s = summary(
      [
        { path: 'good.log', records: 500 },
        { path: 'notes.txt', format: 'unknown', badLines: 3 },
        { path: 'cut.log.gz', records: 120 },
      ],
      {
        'cut.log.gz':
          'gzip stream truncated: the file ends inside the gzip member that starts at byte offset 0',
      },
    );
    judgeDamage(s);
    expect(s.warnings).toHaveLength(2);
    expect(s.warnings[0]).toMatch(
      /^"notes\.txt": not recognised as a flow log \(3 bad line\(s\)\) — none of its records is analysed; check/,
    );
    expect(s.warnings[1]).toMatch(
      /^"cut\.log\.gz": gzip stream truncated: .* — 120 record\(s\) of it are analysed/,
    );
  });

  it('fails a job none of whose files gave a record, naming each', () => {
    const s = summary([
      { path: 'a.log', badLines: 2 },
      { path: 'b.log', format: 'unknown', badLines: 9 },
    ]);
    expect(() => judgeDamage(s)).toThrow(
      /^no file of this job holds a readable flow record; 2 of 2 file\(s\) could not be read as flow logs: "a\.log": no valid record \(2 bad line\(s\)\); "b\.log": not recognised/,
    );
  });

  it('keeps a job whose only records are NODATA log-status ones: loghealth analyses them', () => {
    const s = summary([
      { path: 'quiet-eni.log', nodata: 12 },
      { path: 'broken.log', badLines: 4 },
    ]);
    s.nodata = 12;
    judgeDamage(s);
    expect(s.warnings).toEqual([
      expect.stringMatching(/^"broken\.log": no valid record \(4 bad line\(s\)\)/),
    ]);
  });

  it('leaves alone a job with no damage, even one with no record (empty files)', () => {
    const s = summary([{ path: 'empty.log' }, { path: 'good.log', records: 4, badLines: 1 }]);
    judgeDamage(s);
    expect(s.warnings).toEqual([]);
    expect(() => judgeDamage(summary([{ path: 'empty.log' }]))).not.toThrow();
  });
});
