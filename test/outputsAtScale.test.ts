import { spawn } from 'node:child_process';
import {
  createReadStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTML_BUDGET_BYTES } from '../src/outputs/html/findingList.js';
import { syntheticActor } from './helpers/manyFindings.js';

/**
 * Every output format for 150,000 findings, each written by a process with a 256 MB heap: a renderer
 * that held its whole document (gigabytes for JSON, OCSF and Markdown) would run out of memory or hit
 * V8's string limit, as they all did before they streamed. The findings are synthetic and unique per
 * actor (helpers/manyFindings.ts), so each actor must appear in every complete format.
 */
const COUNT = 150_000;
const HEAP_MB = 256;
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-scale-'));
const file = (format: string) => join(dir, `findings.${format}`);
const actors = new Set(Array.from({ length: COUNT }, (_, i) => syntheticActor(i)));

/** One writer per core on a 2-core machine; each builds the findings once and writes its formats. */
const WRITERS = [
  ['json', 'csv', 'md', 'table'],
  ['ocsf', 'ndjson', 'asff', 'html'],
];

function writeFormats(formats: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      `--max-old-space-size=${HEAP_MB}`,
      '--import',
      'tsx',
      'test/helpers/renderSynthetic.ts',
      String(COUNT),
      dir,
      ...formats,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

let results: { code: number | null; stderr: string }[] = [];
beforeAll(async () => {
  results = await Promise.all(WRITERS.map(writeFormats));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each actor seen, checked off a copy of the set: what is left was never written. */
function missing(seen: Iterable<string>): string[] {
  const left = new Set(actors);
  for (const actor of seen) left.delete(actor);
  return [...left].slice(0, 5);
}

async function* lines(path: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
}

describe(`${COUNT.toLocaleString('en-US')} findings in every format, each writer with a ${HEAP_MB} MB heap`, () => {
  it('writes every format and exits 0', () => {
    for (const [i, result] of results.entries()) {
      expect(result.stderr, `writer of ${WRITERS[i]?.join(', ')}`).toBe('');
      expect(result.code, `writer of ${WRITERS[i]?.join(', ')}`).toBe(0);
    }
    for (const format of WRITERS.flat()) expect(statSync(file(format)).size).toBeGreaterThan(0);
  });

  it('JSON parses whole and holds every finding and actor', () => {
    const doc = JSON.parse(readFileSync(file('json'), 'utf8')) as { findings: { actor: string }[] };
    expect(doc.findings).toHaveLength(COUNT);
    expect(missing(doc.findings.map((f) => f.actor))).toEqual([]);
  });

  it('OCSF parses whole: one Detection Finding per finding, every actor as endpoint or resource', () => {
    const doc = JSON.parse(readFileSync(file('ocsf'), 'utf8')) as {
      evidences: { src_endpoint?: { ip: string } }[];
      resources?: { uid: string }[];
    }[];
    expect(doc).toHaveLength(COUNT);
    expect(missing(doc.map((f) => f.evidences[0]?.src_endpoint?.ip ?? f.resources?.[0]?.uid ?? ''))).toEqual(
      [],
    );
  });

  it('NDJSON: one parseable finding per line, every actor', async () => {
    const seen: string[] = [];
    for await (const line of lines(file('ndjson'))) seen.push((JSON.parse(line) as { actor: string }).actor);
    expect(seen).toHaveLength(COUNT);
    expect(missing(seen)).toEqual([]);
  });

  it('CSV: one row per finding under the header, every actor', async () => {
    const seen: string[] = [];
    const rows = createReadStream(file('csv')).pipe(parse({ columns: true }));
    for await (const row of rows as AsyncIterable<{ actor: string }>) seen.push(row.actor);
    expect(seen).toHaveLength(COUNT);
    expect(missing(seen)).toEqual([]);
  });

  it('ASFF, Markdown and the table are complete: every finding, and each document ends', async () => {
    let asff = 0;
    let last = '';
    for await (const line of lines(file('asff'))) {
      if (line.startsWith('    "SchemaVersion"')) asff++;
      last = line;
    }
    expect([asff, last]).toEqual([COUNT, ']']);
    let details = 0;
    for await (const line of lines(file('md'))) if (line.startsWith('## ')) details++;
    expect(details).toBe(COUNT);
    let grouped = 0;
    for await (const line of lines(file('table'))) {
      const heading = /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) \((\d+)\)$/.exec(line);
      if (heading) grouped += Number(heading[2]);
    }
    expect(grouped).toBe(COUNT);
  });

  it('HTML stays within its size budget and says how many findings it left out, at the top and where rows stop', () => {
    expect(statSync(file('html')).size).toBeLessThanOrEqual(HTML_BUDGET_BYTES);
    const page = readFileSync(file('html'), 'utf8');
    const listed = page.match(/ data-finding-id="/g)?.length ?? 0;
    const notices = [...page.matchAll(/([\d,]+) findings not shown; the JSON\/CSV output has them all\./g)];
    expect(notices).toHaveLength(2);
    const notShown = Number(notices[0]?.[1]?.replaceAll(',', ''));
    expect(notices[1]?.[1]).toBe(notices[0]?.[1]);
    expect(notShown).toBeGreaterThan(0);
    expect(listed + notShown).toBe(COUNT);
    // the first notice is in the page's header, the second after the last row listed
    expect(page.indexOf(notices[0]?.[0] ?? '')).toBeLessThan(page.indexOf('<section id="overview">'));
    expect(page.lastIndexOf(' data-finding-id="')).toBeLessThan(notices[1]?.index ?? 0);
  });

  it('a stop while writing leaves the earlier file as it was, and no temporary file', async () => {
    const stopped = mkdtempSync(join(dir, 'stopped-'));
    writeFileSync(join(stopped, 'findings.json'), 'the report of yesterday');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/helpers/renderSynthetic.ts', String(COUNT), stopped, 'json'],
      { stdio: 'ignore' },
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const partial = () => readdirSync(stopped).filter((name) => name.endsWith('.partial'));
    while (partial().length === 0 || statSync(join(stopped, partial()[0] as string)).size === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(readdirSync(stopped)).toEqual(['findings.json']);
    expect(readFileSync(join(stopped, 'findings.json'), 'utf8')).toBe('the report of yesterday');
  });
});
