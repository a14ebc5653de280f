import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowBuilder } from './helpers/flowBuilder.js';

/**
 * `import { scan } from 'flowhawk'` as a user's project does it: the built package (package.json's
 * exports, dist/index.js and its types), reached through node_modules/flowhawk in another folder.
 * The README's example is the program run, so the README stays true. dist/ is rebuilt first when a
 * file under src/ is newer (CI builds it in `npm install`).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST_INDEX = join(ROOT, 'dist', 'index.js');
const T = 1_700_000_000;
const dir = mkdtempSync(join(tmpdir(), 'flowhawk-public-api-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The newest modification time of the files tsc and copyAssets turn into dist/. */
function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.includes('.test.')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  const built = statSync(DIST_INDEX, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built >= newestSource(join(ROOT, 'src'))) return;
  // npm run build's first two steps (the page bundle is the server's, not the library's)
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/copyAssets.ts'], { cwd: ROOT, stdio: 'pipe' });
}

/** The JavaScript block of the README's "Use as a library" section. */
function readmeExample(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use as a library'));
  const code = section?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README.md has no ```js block under "## Use as a library"');
  return code;
}

function node(args: string[]) {
  const run = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  ensureBuilt();
  // a user's project: its own package.json, and flowhawk under node_modules
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules', 'flowhawk'), 'dir');
  const flows = new FlowBuilder().repeat(120, 0.5, T, (i, at) => ({
    client: '203.0.113.9',
    server: '10.0.1.10',
    port: i + 1,
    at,
    outcome: 'rejected',
  }));
  writeFileSync(join(dir, 'flows.log'), flows.text());
}, 120_000);

describe("import { scan } from 'flowhawk'", () => {
  it('resolves to the built dist/index.js through package.json', () => {
    const run = node(['-e', "console.log(require.resolve('flowhawk'))"]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe(DIST_INDEX);
  });

  it("runs the README's example: the port scan found, the report rendered, nothing else printed", () => {
    const run = node(['--input-type=module', '-e', readmeExample()]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^portscan (low|medium|high|critical) 203\.0\.113\.9 → 10\.0\.1\.10$/m);
    // the Markdown report of the same findings follows
    expect(run.stdout).toMatch(/^# /m);
    expect(run.stdout).toMatch(/portscan[^\n]*203\.0\.113\.9/);
  });

  it('exports the API the README names', () => {
    const names = [
      'scan',
      'ingest',
      'analyse',
      'DuckdbStore',
      'DETECTORS',
      'FORMATS',
      'resolveConfig',
      'loadConfig',
    ];
    const run = node([
      '--input-type=module',
      '-e',
      `const m = await import('flowhawk');
       console.log(JSON.stringify({
         types: Object.fromEntries(${JSON.stringify(names)}.map((n) => [n, typeof m[n]])),
         detectors: m.DETECTORS.map((d) => d.id),
         formats: Object.keys(m.FORMATS),
       }));`,
    ]);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as {
      types: Record<string, string>;
      detectors: string[];
      formats: string[];
    };
    expect(out.types).toEqual({
      scan: 'function',
      ingest: 'function',
      analyse: 'function',
      DuckdbStore: 'function',
      DETECTORS: 'object',
      FORMATS: 'object',
      resolveConfig: 'function',
      loadConfig: 'function',
    });
    expect(out.detectors).toContain('portscan');
    expect(out.formats).toContain('md');
  });

  it('type-checks a TypeScript user of the package against dist/index.d.ts', () => {
    writeFileSync(
      join(dir, 'user.ts'),
      `import { type Finding, type FlowhawkConfig, type ScanReport, DETECTORS, resolveConfig, scan } from 'flowhawk';
const config: FlowhawkConfig = resolveConfig(DETECTORS, { internalNetworks: ['10.0.0.0/8'] }, 'user');
const result = await scan({ sources: ['flows.log'], config, onProgress: (p) => p.stage });
const report: ScanReport = result.report;
const findings: Finding[] = report.analysis.findings;
export const actors: string[] = findings.map((f) => f.actor);
// @ts-expect-error sources are paths, not numbers
await scan({ sources: [1] });
`,
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // a user's settings: strict, Node's module resolution (package.json "exports" and its types)
    const compilerOptions = {
      noEmit: true,
      strict: true,
      skipLibCheck: true,
      target: 'es2022',
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: [],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['user.ts'] }));
    const run = node([tsc, '-p', 'tsconfig.json']);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});
