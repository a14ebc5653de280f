import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowhawk } from './helpers/cli.js';
import { FlowBuilder } from './helpers/flowBuilder.js';

/** `flowhawk report WORKSPACE` driven as a subprocess, on a workspace made by `flowhawk scan`. */
const T = 1_700_000_000;
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-report-cli-'));
/** a hostile file name: it reaches the report through every evidence record's file:line */
const HOSTILE = '"><img src=x onerror=alert(1)>';
const logs = join(dir, `${HOSTILE}.log`);
const workspace = join(dir, 'ws.duckdb');

beforeAll(() => {
  const flows = new FlowBuilder()
    .repeat(120, 0.5, T, (i, at) => ({
      client: '203.0.113.9',
      server: '10.0.1.10',
      port: i + 1,
      at,
      outcome: 'rejected',
    }))
    .tcp({ client: '198.51.100.7', server: '10.0.1.20', port: 6379, at: T });
  writeFileSync(logs, flows.text());
  const scan = flowhawk('scan', logs, '--workspace', workspace, '--format', 'json');
  expect(scan.code).toBe(0);
  // the report must not need the logs any more
  rmSync(logs);
}, 60_000);

describe('flowhawk report', () => {
  it('renders the workspace as one self-contained HTML page on stdout, exit 0', () => {
    const { code, stdout, stderr } = flowhawk('report', workspace);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const { document } = parseHTML(stdout);
    const actors = [...document.querySelectorAll('article.finding .actor')].map((a) => a.textContent);
    expect(actors).toEqual(expect.arrayContaining(['203.0.113.9', '198.51.100.7']));
    const high = document.querySelector('.severity-counts [data-severity="high"] .count');
    expect(Number(high?.textContent)).toBeGreaterThanOrEqual(1);
    const files = [...document.querySelectorAll('tr.evidence-row .file')].map((td) => td.textContent);
    expect(files).toContain(`${logs}:2`);
    expect(document.querySelectorAll('img')).toHaveLength(0);
    expect(stdout).not.toMatch(
      /<script[^>]*\ssrc=|<link[^>]*href=["']?https?:|@import|url\(\s*["']?https?:/i,
    );
    const data = JSON.parse(document.getElementById('fh-data')?.textContent ?? '');
    expect(Math.max(...data.timeline.records)).toBeGreaterThan(0);
    expect(document.getElementById('overview')?.textContent).toContain('121');
  }, 60_000);

  it('writes other formats, and to --output', () => {
    const out = join(dir, 'report.json');
    const { code, stdout } = flowhawk('report', workspace, '--format', 'json', '--output', out);
    expect(code).toBe(0);
    expect(stdout).toBe('');
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.ingest).toBeNull();
    expect(doc.findings.find((f: { actor: string }) => f.actor === '203.0.113.9')).toMatchObject({
      detector: 'portscan',
      evidence: expect.arrayContaining([expect.objectContaining({ file: logs })]),
    });
  }, 60_000);

  it('input error for a missing workspace (exit 3), usage error for an unknown format (exit 2)', () => {
    const missing = flowhawk('report', join(dir, 'nope.duckdb'));
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('no workspace file at');
    expect(missing.stderr).toContain('--workspace');
    const bad = flowhawk('report', workspace, '--format', 'xml');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown format "xml"');
    expect(flowhawk('report').code).toBe(2);
  }, 60_000);
});
