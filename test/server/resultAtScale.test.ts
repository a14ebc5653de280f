import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResultHead } from '../../src/server/jobResult.js';
import { syntheticActor } from '../helpers/manyFindings.js';

/**
 * A job result of 150,000 findings, written as serve's job worker writes it and rendered by its report
 * worker, each in a process with a 256 MB heap. The findings as JSON are more than half that heap, so
 * a worker that held the whole result as one string beside the findings (as both did when the result
 * was one result.json) runs out of memory; with ten evidence records each they would be a gigabyte,
 * beyond V8's longest string whatever the heap.
 */
const COUNT = 150_000;
const HEAP_MB = 256;
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-result-'));
const report = join(dir, 'download.json');

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs a script under tsx with the small heap; its standard output goes to `stdout` when given. */
function run(script: string, args: string[], stdout?: string): Promise<Exit> {
  const out = stdout ? openSync(stdout, 'w') : 'ignore';
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', script, ...args],
    { stdio: ['ignore', out, 'pipe'] },
  );
  if (typeof out === 'number') closeSync(out);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

let written: Exit;
let rendered: Exit;
beforeAll(async () => {
  written = await run('test/helpers/writeSyntheticResult.ts', [String(COUNT), '1', dir]);
  rendered = await run('src/server/reportWorker.ts', [dir, 'json', '1'], report);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe(`a job result of ${COUNT.toLocaleString('en-US')} findings, each worker with a ${HEAP_MB} MB heap`, () => {
  it('is written in pieces: a small report.json, the findings a line each, no whole result', () => {
    expect(written).toEqual({ code: 0, stderr: '' });
    expect(statSync(join(dir, 'report.json')).size).toBeLessThan(64 * 1024);
    expect(statSync(join(dir, 'findings.ndjson')).size).toBeGreaterThan((HEAP_MB / 2) * 1024 * 1024);
    expect(existsSync(join(dir, 'result.json'))).toBe(false);
    const head = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as JobResultHead;
    expect(head.findingCount).toBe(COUNT);
    expect(head.report.analysis).not.toHaveProperty('findings');
  });

  it('is rendered by the report worker into JSON that parses, with every finding and actor', () => {
    expect(rendered).toEqual({ code: 0, stderr: '' });
    const doc = JSON.parse(readFileSync(report, 'utf8')) as { tool: string; findings: { actor: string }[] };
    expect(doc.tool).toBe('flowhawk');
    expect(doc.findings).toHaveLength(COUNT);
    const left = new Set(Array.from({ length: COUNT }, (_, i) => syntheticActor(i)));
    for (const finding of doc.findings) left.delete(finding.actor);
    expect([...left].slice(0, 5)).toEqual([]);
  });
});
