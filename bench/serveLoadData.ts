/**
 * Upload files for the `flowhawk serve` load check: one gzip VPC flow log (v2 default format, header
 * first) of ordinary traffic, about `targetBytes` compressed, and per job a copy with a port scan from
 * that job's own scanner appended as a second gzip member, so every job has one finding that is its
 * alone and the rest in common.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { appendFile, copyFile, stat } from 'node:fs/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { Prng } from './prng.js';

const HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const ACCOUNT = '123456789012';
const T0 = Date.UTC(2024, 2, 11) / 1000;
const SERVICES = [443, 5432, 6379, 8080, 9092] as const;

/** The job's scanner: a documentation address, distinct per job. */
export const scannerOf = (job: number) => `203.0.113.${job + 1}`;
export const SCAN_TARGET = '10.1.0.10';

/** Writes the shared base file; returns its size and record count. */
export async function writeBase(
  path: string,
  targetBytes: number,
  seed = 7,
): Promise<{ bytes: number; records: number }> {
  const rng = new Prng(seed);
  const pick = (n: number) => rng.int(n);
  const out = createWriteStream(path);
  const gzip = createGzip({ level: 6 });
  gzip.pipe(out);
  let written = 0;
  gzip.on('data', (chunk: Buffer) => {
    written += chunk.length;
  });
  gzip.write(`${HEADER}\n`);
  let records = 0;
  let t = T0;
  while (written < targetBytes) {
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) {
      t += rng.float() * 0.02;
      const client = `10.1.${1 + pick(8)}.${1 + pick(250)}`;
      const server = `10.1.0.${10 + pick(20)}`;
      const port = SERVICES[pick(SERVICES.length)] as number;
      const sport = 32768 + pick(28000);
      const packets = 1 + pick(40);
      const bytes = packets * (60 + pick(1400));
      const start = Math.floor(t);
      const end = start + pick(60);
      const eni = `eni-${(0x1000 + pick(64)).toString(16)}`;
      lines.push(
        `2 ${ACCOUNT} ${eni} ${client} ${server} ${sport} ${port} 6 ${packets} ${bytes} ${start} ${end} ACCEPT OK`,
      );
      lines.push(
        `2 ${ACCOUNT} ${eni} ${server} ${client} ${port} ${sport} 6 ${packets} ${bytes * 3} ${start} ${end} ACCEPT OK`,
      );
    }
    records += lines.length;
    if (!gzip.write(`${lines.join('\n')}\n`)) await once(gzip, 'drain');
  }
  gzip.end();
  await once(out, 'close');
  return { bytes: (await stat(path)).size, records };
}

/** The base file plus one job's port scan (300 ports of SCAN_TARGET, all rejected). */
export async function writeJobFile(base: string, path: string, job: number): Promise<void> {
  await copyFile(base, path);
  const lines: string[] = [];
  for (let port = 1; port <= 300; port++) {
    const at = T0 + 600 + port;
    lines.push(
      `2 ${ACCOUNT} eni-0a0a ${scannerOf(job)} ${SCAN_TARGET} ${40000 + port} ${port} 6 1 44 ${at} ${at + 1} REJECT OK`,
    );
  }
  await appendFile(path, gzipSync(`${lines.join('\n')}\n`));
}
