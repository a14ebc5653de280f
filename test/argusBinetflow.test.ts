import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { IngestOptions } from '../src/ingest/ingest.js';
import { parseUtcOffset } from '../src/readers/epochSeconds.js';
import { countLines } from '../src/readers/lineChunks.js';
import { BIFLOW_COLUMNS as COLUMNS, biflowRow as row } from './helpers/biflowRow.js';
import { ingestInMemory } from './helpers/ingestInMemory.js';

const fixture = join(import.meta.dirname, 'fixtures', 'argus', 'ctu13-style.binetflow');
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-argus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = '10.0.0.5';
const B = '198.51.100.7';
const SCANNER = '203.0.113.9';

/** The fixture's records as UTC (2023/11/14 22:13:20 UTC is 1700000000). */
const FLOWS = [
  // TotPkts 3 split by bytes 122 : 62 (an estimate: the file has no SrcPkts); SR_SA: SYN+RST out, SYN-ACK back
  row(2, [SCANNER, 63577], [A, 443], 6, 2, 122, 1700000000.123456, 1700000003.106703, 2 | 4),
  row(2, [A, 443], [SCANNER, 63577], 6, 1, 62, 1700000000.123456, 1700000003.106703, 18),
  // a SYN nobody answered: one row
  row(3, [SCANNER, 4403], [A, 22], 6, 1, 60, 1700000001, 1700000001, 2),
  // ICMP echo: Sport 0x0008 is type 8 code 0; the ICMP id in Dport is dropped; swapped in the reply
  row(4, [A, 8], [B, 0], 1, 1, 98, 1700000002.5, 1700000002.500276, null),
  row(4, [B, 0], [A, 8], 1, 1, 98, 1700000002.5, 1700000002.500276, null),
  // Sport 0x0303: type 3 (unreachable) code 3 (port)
  row(5, [A, 3], [B, 3], 1, 1, 70, 1700000003.1, 1700000003.1, null),
  // Dir "<-" with SrcBytes 0: only the destination sent, so only the reverse row
  row(6, [A, 233], [B, 0], 1, 15, 15990, 1700000004.25, 1700000100.272095, null),
  // hex Sport 0x0035 is port 53; UDP has no flags
  row(7, [A, 53], ['198.51.100.53', 53], 17, 1, 79, 1700000005, 1700000005.121982, null),
  row(7, ['198.51.100.53', 53], [A, 53], 17, 1, 60, 1700000005, 1700000005.121982, null),
  // ICMPv6 in decimal: type 130 (multicast listener query)
  row(
    12,
    ['fe80::20c:29ff:fe97:a3eb', 130],
    ['ff02::1:ffb6:80a0', 0],
    58,
    2,
    172,
    1700000010,
    1700000010.5,
    null,
  ),
];

function sorted<T extends object>(rows: T[]): T[] {
  const key = (r: T) => {
    const { line, src_addr } = r as { line: number; src_addr: string };
    return `${String(line).padStart(8, '0')} ${src_addr}`;
  };
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function ingestFile(path: string, options: IngestOptions = {}) {
  const db = await ingestInMemory([path], options);
  const flows = sorted(await db.rows(`SELECT ${COLUMNS} FROM flows`));
  const everything = await db.rows('SELECT * FROM flows');
  const bad = await db.rows('SELECT line, reason, excerpt FROM bad_lines ORDER BY line');
  const [lines] = await db.rows('SELECT count(DISTINCT line) AS n FROM flows');
  db.store.close();
  return { summary: db.summary, flows, everything, bad, flowLines: lines?.n as number };
}

describe('Argus binetflow CSV', () => {
  it('maps each record to one row per direction that sent, value by value', async () => {
    const result = await ingestFile(fixture);
    expect(result.summary.perFile[0]?.format).toBe('argus-binetflow');
    expect(result.flows).toEqual(sorted(FLOWS));
  });

  it('reports non-IP and damaged records at their line, without the label, and accounts for every line', async () => {
    const result = await ingestFile(fixture);
    const linkLayer = 'is not IP: a link-layer record (addresses are MACs or ARP targets), no flow';
    expect(result.bad).toEqual([
      {
        line: 8,
        reason: `Proto "arp" ${linkLayer}`,
        excerpt: '2023/11/14 22:13:26.0,899.911987,arp,10.0.0.5,,who,10.0.0.1,,CON,,,6,360,180',
      },
      { line: 9, reason: `Proto "ipx/spx" ${linkLayer}`, excerpt: expect.any(String) },
      {
        line: 10,
        reason: 'Sport "99999" is not a port (0-65535, decimal or 0x hex)',
        excerpt: expect.any(String),
      },
      {
        line: 11,
        reason: 'StartTime "2023/13/14 22:13:29.0" is no valid date and time between 1970 and 2106',
        excerpt: expect.any(String),
      },
    ]);
    expect(JSON.stringify([result.everything, result.bad])).not.toMatch(/flow=|Botnet|Background|Normal/);
    expect(result.summary.headers).toBe(1);
    expect(result.flowLines + result.summary.headers + result.summary.badLines).toBe(
      countLines(readFileSync(fixture)),
    );
  });

  it('takes zone-less times as UTC and says so, or applies the offset it is given', async () => {
    const utc = await ingestFile(fixture);
    expect(utc.summary.warnings).toEqual([
      `${fixture}: label column(s) Label dropped: ground truth is never stored`,
      `${fixture}: StartTime has no time zone: taken as UTC (if the capture was written in local time, give its offset, e.g. utcOffsetMinutes 120 for +02:00)`,
    ]);
    const cest = await ingestFile(fixture, { utcOffsetMinutes: parseUtcOffset('+02:00') as number });
    expect(cest.summary.warnings.some((w) => w.includes('time zone'))).toBe(false);
    expect(cest.flows).toEqual(
      sorted(FLOWS).map((r) => ({ ...r, start_time: r.start_time - 7200, end_time: r.end_time - 7200 })),
    );
  });

  it('reads the same flows from a gzip file', async () => {
    const gz = join(dir, 'capture.binetflow.gz');
    writeFileSync(gz, gzipSync(readFileSync(fixture)));
    const zipped = await ingestFile(gz);
    expect(zipped.flows).toEqual(sorted(FLOWS));
    expect(zipped.bad.map((b) => b.line)).toEqual([8, 9, 10, 11]);
  });

  it('uses SrcPkts/DstPkts and LastTime when the column set has them, and Unix-second times', async () => {
    const csv = [
      'StartTime,LastTime,Flgs,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,SrcPkts,DstPkts,SrcBytes,DstBytes,State',
      '1700000000.250000,1700000002.750000, e ,tcp,10.0.0.5,50000,   ->,10.0.0.6,80,5,4,500,3000,FSPA_FSPA',
      '1700000003,1700000003,,udp,10.0.0.5,50001,<->,10.0.0.7,53,1,1,70,90,CON',
      '',
    ].join('\n');
    const path = join(dir, 'other-columns.csv');
    writeFileSync(path, csv);
    const result = await ingestFile(path);
    expect(result.summary.perFile[0]?.format).toBe('argus-binetflow');
    expect(result.summary.warnings).toEqual([]);
    expect(result.flows).toEqual(
      sorted([
        row(2, [A, 50000], ['10.0.0.6', 80], 6, 5, 500, 1700000000.25, 1700000002.75, 2 | 1),
        row(2, ['10.0.0.6', 80], [A, 50000], 6, 4, 3000, 1700000000.25, 1700000002.75, 18 | 1),
        row(3, [A, 50001], ['10.0.0.7', 53], 17, 1, 70, 1700000003, 1700000003, null),
        row(3, ['10.0.0.7', 53], [A, 50001], 17, 1, 90, 1700000003, 1700000003, null),
      ]),
    );
  });
});
