/**
 * The bench's corpora: one per (variant, record count) under bench/out/corpus/, each with a manifest
 * beside it, generated once and reused while the manifest matches the request.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listCorpusFiles } from './benchProcs.js';
import {
  type CorpusStats,
  type CorpusVariant,
  GENERATOR_VERSION,
  generateCorpus,
  progressPrinter,
} from './generateCorpus.js';

export interface Manifest extends CorpusStats {
  generatorVersion: number;
  variant: CorpusVariant;
  seed: number;
}

export interface Corpus {
  manifest: Manifest;
  /** path relative to the repository, as the bench passes it to flowhawk */
  rel: string;
  files: string[];
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** 1000000 → '1M', 20000 → '20k', 1234567 → '1234567': short where it stays exact. */
export function sizeLabel(records: number): string {
  if (records >= 1e6 && records % 1e6 === 0) return `${records / 1e6}M`;
  if (records >= 1e3 && records % 1e3 === 0) return `${records / 1e3}k`;
  return String(records);
}

/** Where a corpus lives, relative to the repository: bench/out/corpus/<variant>-<size>. */
export function corpusDir(variant: CorpusVariant, records: number): string {
  return `bench/out/corpus/${variant}-${sizeLabel(records)}`;
}

/**
 * Reuses the corpus when its manifest matches the variant, count, seed and generator version and every
 * file is there; otherwise generates it. The manifest sits beside the corpus, not in it, so the ingest
 * never sees it, and is written last, so an interrupted generation never looks like a valid corpus.
 */
export async function ensureCorpus(
  root: string,
  variant: CorpusVariant,
  records: number,
  seed: number,
): Promise<Corpus> {
  const rel = corpusDir(variant, records);
  const dir = join(root, rel);
  const manifestPath = `${dir}.manifest.json`;
  const old = (await readFile(manifestPath, 'utf8').then(JSON.parse, () => undefined)) as
    | Manifest
    | undefined;
  if (
    old?.records === records &&
    old.variant === variant &&
    old.seed === seed &&
    old.generatorVersion === GENERATOR_VERSION
  ) {
    const files = await listCorpusFiles(dir);
    if (files.length === old.files) {
      console.log(`corpus: ${rel} reused (${fmt(records)} records, ${fmt(files.length)} files)`);
      return { manifest: old, rel, files };
    }
  }
  await rm(manifestPath, { force: true });
  console.log(`corpus: generating ${fmt(records)} ${variant} records into ${rel} (seed ${seed}) ...`);
  await mkdir(dir, { recursive: true });
  const stats = await generateCorpus({
    records,
    out: dir,
    seed,
    variant,
    onProgress: progressPrinter(records),
  });
  const manifest: Manifest = { generatorVersion: GENERATOR_VERSION, variant, seed, ...stats };
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(
    `corpus: generated in ${stats.seconds.toFixed(1)} s (${fmt(stats.records / stats.seconds)} records/s)`,
  );
  return { manifest, rel, files: await listCorpusFiles(dir) };
}
