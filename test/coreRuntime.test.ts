import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The core runs without Node: the readers, the engine, the detectors, the outputs and the ground floor use no
 * `node:` module and none of Node's globals (Buffer, process, require, __dirname), so that the same
 * files can run in a browser over DuckDB-WASM. Node's parts stay behind the ingest and store
 * boundaries, in the commands and in the server. See docs/architecture.md, "Runs without Node".
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORE = ['src/readers', 'src/engine', 'src/detectors', 'src/outputs', 'src/net'];
/** The ground floor's own files (src/*.ts but the entry points, which are Node's: index.ts, scan.ts). */
const GROUND = ['flow', 'connection', 'finding', 'report', 'errors', 'protocols', 'byteSize', 'digest'];

/**
 * Files of the core that still use Node, each with why; an entry that no longer needs it must be
 * taken off (the test says so), so that it cannot come back unnoticed.
 */
const KNOWN_NODE: Readonly<Record<string, string>> = {
  'src/outputs/html/charts.ts':
    'reads the chart library (uPlot) from node_modules, to inline it in the report',
  'src/outputs/ocsfSchema/validateOcsf.ts': 'reads the bundled OCSF schema file',
};

const NODE_IMPORT = [/^\s*(?:import|export)\b[^;]*?from\s+['"]node:[^'"]+['"]/m, /\bimport\(\s*['"]node:/];
const NODE_GLOBAL = /\b(?:Buffer|process|__dirname|__filename)\b|\brequire\(/;

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...files(path));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The code without its comments, whose prose may name Buffer or process. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

/** …and without the text of its strings (a URL, a message), for the globals. */
const bare = (text: string) =>
  text.replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''");

function sees(text: string): boolean {
  const withoutComments = code(text);
  return NODE_IMPORT.some((re) => re.test(withoutComments)) || NODE_GLOBAL.test(bare(withoutComments));
}

const usesNode = (path: string) => sees(readFileSync(join(ROOT, path), 'utf8'));

describe('the core runs without Node', () => {
  const core = [...CORE.flatMap(files), ...GROUND.map((name) => `src/${name}.ts`)].map((p) =>
    relative(ROOT, join(ROOT, p)),
  );

  it('covers the core: the readers, the engine, the detectors, the outputs, net/ and the ground floor', () => {
    expect(core.length).toBeGreaterThan(60);
    for (const path of Object.keys(KNOWN_NODE)) expect(core).toContain(path);
  });

  it('uses no node: module and no Node global, but in the known files', () => {
    const using = core.filter((path) => usesNode(path) && !(path in KNOWN_NODE));
    expect(using).toEqual([]);
  });

  it('lists only files that still use Node among the known ones', () => {
    expect(Object.keys(KNOWN_NODE).filter((path) => !usesNode(path))).toEqual([]);
  });

  it('sees a node: import, a dynamic one and a Node global, and not a comment that names Buffer', () => {
    expect(sees("import { isIP } from 'node:net';")).toBe(true);
    expect(sees("const zlib = await import('node:zlib');")).toBe(true);
    expect(sees('const n = Buffer.byteLength(text);')).toBe(true);
    expect(sees('/** as Buffer.byteLength counts */\nconst n = 1; // process it')).toBe(false);
    expect(sees("const url = 'https://example.com/process';")).toBe(false);
  });
});
