/**
 * The bench's pure parts: its command line, the stage line it reads from `scan --verbose`, the scan
 * output head, the targets, and the worst-case corpus's promise that every record is its own connection.
 * (bench/ is outside vitest's include list, so the test lives here.)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchArgs, parseSizes, parseVariants } from '../bench/benchOptions.js';
import { listCorpusFiles } from '../bench/benchProcs.js';
import { evaluateTargets, type RunFigures } from '../bench/benchTargets.js';
import { analysisSeconds, parseStageLine, readScanHead } from '../bench/childOutput.js';
import { worstCaseSource } from '../bench/corpusWorstCase.js';
import { type CorpusVariant, generateCorpus } from '../bench/generateCorpus.js';
import { Prng } from '../bench/prng.js';

const scratch = await mkdtemp(join(tmpdir(), 'flowhawk-benchtest-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('bench command line', () => {
  it('takes a comma list of sizes, smallest first, without repeats', () => {
    expect(parseSizes('30000000,1000000,10000000')).toEqual([1_000_000, 10_000_000, 30_000_000]);
    expect(parseSizes(' 1e6 , 20_000,1000000')).toEqual([20_000, 1_000_000]);
  });

  it('refuses empty, zero and non-numeric sizes', () => {
    for (const bad of ['', '1000,,2000', '1000,', '0', '10M', '-5', '1.5']) {
      expect(() => parseSizes(bad), bad).toThrow();
    }
  });

  it('defaults to one 10M realistic run and passes --memory-limit through untouched', () => {
    expect(parseBenchArgs([], {})).toMatchObject({
      sizes: [10_000_000],
      variants: ['realistic'],
      seed: 1,
      memoryLimit: undefined,
      scan: true,
    });
    const opts = parseBenchArgs(['--variant', 'both', '--memory-limit', '768MiB', '--no-scan'], {
      BENCH_RECORDS: '20000',
    });
    expect(opts).toMatchObject({ sizes: [20_000], variants: ['realistic', 'worst-case'], scan: false });
    expect(opts.memoryLimit).toBe('768MiB');
    expect(parseBenchArgs(['--records', '5000'], { BENCH_RECORDS: '20000' }).sizes).toEqual([5000]);
  });

  it('refuses an unknown variant or option', () => {
    expect(parseVariants('worst-case')).toEqual(['worst-case']);
    expect(() => parseVariants('worst')).toThrow(/unknown corpus variant/);
    expect(() => parseBenchArgs(['--recods', '5'], {})).toThrow();
  });
});

describe('the stage line of scan --verbose', () => {
  const line =
    'flowhawk: stages: read 12.34 s, connections 1.23 s, detectors 4.56 s, evidence 0.78 s, leaders 0.12 s, render 0.34 s';

  it('reads every stage, from the last stage line among other stderr lines', () => {
    const stderr = `flowhawk: config: defaults\nflowhawk: stages: read 9 s, render 1 s\nflowhawk: portscan 1 s\n${line}\n`;
    const stages = parseStageLine(stderr);
    expect(stages).toEqual({
      read: 12.34,
      connections: 1.23,
      detectors: 4.56,
      evidence: 0.78,
      leaders: 0.12,
      render: 0.34,
    });
    expect(analysisSeconds(stages ?? { read: 0, render: 0 })).toBeCloseTo(1.23 + 4.56 + 0.78 + 0.12, 6);
  });

  it('has no analysis seconds when the scan reports only read and render', () => {
    const stages = parseStageLine('flowhawk: stages: read 0.00 s, render 0.02 s\n');
    expect(stages).toEqual({ read: 0, render: 0.02 });
    expect(analysisSeconds(stages ?? { read: 0, render: 0 })).toBeUndefined();
  });

  it('gives nothing rather than half a line when the line is missing or changed', () => {
    expect(parseStageLine('flowhawk: config: defaults\n')).toBeUndefined();
    expect(parseStageLine(line.replace('detectors', 'scoring'))).toBeUndefined();
    expect(parseStageLine(line.replace('4.56 s', '4.56 ms'))).toBeUndefined();
    expect(parseStageLine('flowhawk: stages: connections 1 s, render 1 s')).toBeUndefined();
  });
});

describe('the head of a scan --format json file', () => {
  it('reads the ingest counts and analysis facts without parsing the findings', async () => {
    const ingest = { files: 2, records: 10, badLines: 0, nodata: 1, skipdata: 0, perFile: [{ a: 1 }] };
    const detectors = [
      { id: 'portscan', candidates: 3, findings: 2, suppressed: 0, elapsedMs: 40 },
      { id: 'beacon', candidates: 0, findings: 1, suppressed: 0, elapsedMs: 7 },
    ];
    const head = JSON.stringify(
      { tool: 'flowhawk', ingest, analysis: { connections: 7, detectors } },
      null,
      2,
    );
    // findings cut short: readScanHead must stop before them
    const file = join(scratch, 'scan.json');
    await writeFile(file, `${head.slice(0, -2)},\n  "findings": [\n    { "id": "trunc`);
    const read = await readScanHead(file);
    expect(read.connections).toBe(7);
    expect(read.findings).toBe(3);
    expect(read.detectorMs).toEqual({ portscan: 40, beacon: 7 });
    expect(read.ingest).toMatchObject({ files: 2, records: 10, nodata: 1 });
  });

  it('refuses a file that is not a findings document', async () => {
    const file = join(scratch, 'other.json');
    await writeFile(file, '{"tool": "something else"}\n');
    await expect(readScanHead(file)).rejects.toThrow(/no "findings" member/);
  });
});

const run = (variant: CorpusVariant, records: number, f: Partial<RunFigures>): RunFigures => ({
  variant,
  records,
  zcatSeconds: 10,
  ...f,
});

describe('issue #12 targets', () => {
  it('judges the 10M runs, and growth from the smallest to the largest size', () => {
    const runs = [
      run('realistic', 1_000_000, { zcatSeconds: 1, analysisSeconds: 2 }),
      run('realistic', 10_000_000, {
        readSeconds: 19,
        ingestSeconds: 31,
        scanSeconds: 29,
        ingestPeakRssMb: 900, // 944 MB: under 1 GB
        scanPeakRssMb: 1950, // 2045 MB: over 2 GB
        analysisSeconds: 20,
      }),
      run('realistic', 30_000_000, { zcatSeconds: 30, analysisSeconds: 66 }), // 2.2 s/M vs 2.0 s/M
      run('worst-case', 10_000_000, { scanSeconds: 61 }),
    ];
    const byId = Object.fromEntries(evaluateTargets(runs).map((t) => [t.id, t]));
    expect(byId['ingest-memory']).toMatchObject({ corpus: 'realistic 10M', status: 'met', value: 1.9 });
    expect(byId['ingest-workspace']?.status).toBe('not met');
    expect(byId['scan-realistic']?.status).toBe('met');
    expect(byId['scan-worst-case']).toMatchObject({ corpus: 'worst-case 10M', status: 'not met' });
    expect(byId['rss-ingest']?.status).toBe('met');
    expect(byId['rss-scan']?.status).toBe('not met');
    expect(byId['growth-realistic']).toMatchObject({ corpus: 'realistic 1M → 30M', status: 'met' });
    expect(byId['growth-realistic']?.value).toBeCloseTo(1.1, 9);
    expect(byId['growth-realistic']?.note).toBeUndefined();
    expect(byId['growth-worst-case']?.status).toBe('not measured');
  });

  it('finds growth over 1.2x not met', () => {
    const runs = [
      run('worst-case', 1_000_000, { analysisSeconds: 2 }),
      run('worst-case', 30_000_000, { analysisSeconds: 75 }), // 2.5 s/M: 1.25x
    ];
    const growth = evaluateTargets(runs).find((t) => t.id === 'growth-worst-case');
    expect(growth).toMatchObject({ corpus: 'worst-case 1M → 30M', status: 'not met' });
    expect(growth?.value).toBeCloseTo(1.25, 9);
  });

  it('says when a figure is missing or comes from another size than the one stated', () => {
    const targets = evaluateTargets([run('realistic', 20_000, { scanSeconds: 5 })]);
    const byId = Object.fromEntries(targets.map((t) => [t.id, t]));
    expect(byId['scan-realistic']).toMatchObject({
      corpus: 'realistic 20k',
      status: 'met',
      note: 'stated for 10M',
    });
    expect(byId['ingest-workspace']?.status).toBe('not measured');
    expect(byId['scan-worst-case']?.status).toBe('not measured');
    expect(byId['growth-realistic']?.status).toBe('not measured');
    expect(byId['growth-worst-case']).toBeUndefined();
  });
});

/** Every record line of a corpus as its fields, named by each file's header. */
async function corpusRecords(dir: string): Promise<Record<string, string>[]> {
  const rows: Record<string, string>[] = [];
  for (const file of await listCorpusFiles(dir)) {
    const [header = '', ...lines] = gunzipSync(await readFile(file))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    const names = header.split(' ');
    for (const line of lines) {
      const values = line.split(' ');
      rows.push(Object.fromEntries(names.map((n, i) => [n, values[i] ?? ''])));
    }
  }
  return rows;
}

/** The connection key: the 5-tuple with its two ends in a fixed order, so a reply is the same key. */
const connectionKey = (r: Record<string, string>): string => {
  const a = `${r.srcaddr}:${r.srcport}`;
  const b = `${r.dstaddr}:${r.dstport}`;
  return `${r.protocol} ${a < b ? `${a} ${b}` : `${b} ${a}`}`;
};

describe('the worst-case corpus', () => {
  it('makes every record its own connection, from public sources; the realistic corpus does not', async () => {
    const records = 6000;
    const worstDir = join(scratch, 'worst');
    const stats = await generateCorpus({ records, out: worstDir, seed: 3, variant: 'worst-case' });
    expect(stats).toMatchObject({ records, flows: records, nodata: 0, skipdata: 0 });
    const rows = await corpusRecords(worstDir);
    expect(rows).toHaveLength(records);
    expect(new Set(rows.map(connectionKey)).size).toBe(records);
    for (const r of rows) {
      expect(r.srcaddr).not.toMatch(/^(10|127|192\.168|172\.(1[6-9]|2\d|3[01]))\./);
      expect(r.dstaddr).toMatch(/^10\./);
    }
    // the same check on the realistic corpus: both directions and both interfaces share a connection
    const realDir = join(scratch, 'real');
    await generateCorpus({ records, out: realDir, seed: 3 });
    const real = await corpusRecords(realDir);
    expect(new Set(real.map(connectionKey)).size).toBeLessThan(records * 0.6);
  });

  it('is the same for the same seed and differs for another', async () => {
    const digest = async (seed: number, name: string) => {
      const dir = join(scratch, name);
      await generateCorpus({ records: 800, out: dir, seed, variant: 'worst-case' });
      return (await corpusRecords(dir)).map((r) => `${r.srcaddr}:${r.srcport}>${r.dstaddr}:${r.dstport}`);
    };
    const [a, b, c] = [await digest(5, 'a'), await digest(5, 'b'), await digest(6, 'c')];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('gives distinct (source, port) pairs to consecutive and far-apart record numbers', () => {
    const rng = new Prng(1);
    const seen = new Set<string>();
    const indexes = [
      ...Array.from({ length: 150_000 }, (_, i) => i),
      ...Array.from({ length: 50_000 }, (_, i) => 2 ** 32 - 1 - i), // the top of the range wraps nowhere
    ];
    let [lowest, highest] = [Infinity, -Infinity];
    for (const i of indexes) {
      const { addr, port } = worstCaseSource(i, 0x9e3779b9, rng);
      [lowest, highest] = [Math.min(lowest, port), Math.max(highest, port)];
      seen.add(`${addr}:${port}`);
    }
    expect(seen.size).toBe(indexes.length);
    expect(lowest).toBeGreaterThanOrEqual(1024);
    expect(highest).toBeLessThanOrEqual(65535);
  });
});
