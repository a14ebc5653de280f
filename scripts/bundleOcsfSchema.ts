import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FlowhawkError } from '../src/errors.js';
import { resolveOcsfSchema, type SchemaSource, sortKeys } from '../src/outputs/ocsfSchema/resolveSchema.js';

/**
 * Writes src/outputs/ocsfSchema/ocsf-1.3.0.json from the OCSF schema source, so that the validator and the
 * tests never need the source itself (a plain clone does not have it):
 *
 *   node --import tsx scripts/bundleOcsfSchema.ts [schemaDir]     (default ../shared/data/ocsf-schema-1.3.0)
 *
 * The resolution rules are in src/outputs/ocsfSchema/resolveSchema.ts; this file only reads and writes.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_SCHEMA_DIR = resolve(ROOT, '../shared/data/ocsf-schema-1.3.0');
const OUT_DIR = join(ROOT, 'src/outputs/ocsfSchema');
export const BUNDLE_FILE = join(OUT_DIR, 'ocsf-1.3.0.json');

/** The parts of the source the bundle is made of; extensions/ (linux, windows) are left out on purpose. */
const TOP_FILES = ['dictionary.json', 'categories.json', 'version.json'];
const FOLDERS = ['events', 'objects', 'profiles', 'includes'];

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The source's JSON files, parsed, by path relative to `dir` with forward slashes (as `$include` names them). */
export function readSchemaSource(dir: string): SchemaSource {
  if (!existsSync(join(dir, 'dictionary.json'))) {
    throw new FlowhawkError(
      'USAGE',
      `${dir}: no dictionary.json, so this is not an OCSF schema source directory`,
      'pass the directory of the ocsf/ocsf-schema repository checked out at tag v1.3.0',
    );
  }
  const paths = [
    ...TOP_FILES.map((f) => join(dir, f)),
    ...FOLDERS.flatMap((f) => jsonFilesUnder(join(dir, f))),
  ];
  const source = new Map<string, unknown>();
  for (const path of paths.sort()) {
    const key = relative(dir, path).split(sep).join('/');
    try {
      source.set(key, JSON.parse(readFileSync(path, 'utf8')));
    } catch (error) {
      throw new FlowhawkError('OCSF_SCHEMA', `${path}: not valid JSON (${(error as Error).message})`);
    }
  }
  return source;
}

/** The bundle as written: keys sorted, then laid out by biome so that `npm run lint` accepts the file. */
export function bundleText(dir: string): string {
  return `${JSON.stringify(sortKeys(resolveOcsfSchema(readSchemaSource(dir))))}\n`;
}

function formatWithBiome(file: string): void {
  const biome = join(ROOT, 'node_modules/.bin/biome');
  const run = spawnSync(biome, ['format', '--write', file], { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new FlowhawkError(
      'OCSF_SCHEMA',
      `${file}: biome format failed (${run.error?.message ?? run.stderr.trim()})`,
      'run `npm ci` so that node_modules/.bin/biome exists, then re-run the bundler',
    );
  }
}

function main(argv: string[]): void {
  const dir = resolve(argv[0] ?? DEFAULT_SCHEMA_DIR);
  writeFileSync(BUNDLE_FILE, bundleText(dir));
  formatWithBiome(BUNDLE_FILE);
  // copied by content, not with copyFileSync: the source may be read-only, and its mode would come along
  for (const name of ['LICENSE', 'NOTICE']) writeFileSync(join(OUT_DIR, name), readFileSync(join(dir, name)));
  console.log(`wrote ${relative(ROOT, BUNDLE_FILE)} from ${dir}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    const hint = error instanceof FlowhawkError && error.hint ? `\n${error.hint}` : '';
    console.error(`bundleOcsfSchema: ${(error as Error).message}${hint}`);
    process.exitCode = 1;
  }
}
