/**
 * The command line of `npm run bench` (bench/ingestBench.ts):
 *
 *   --records N[,N...]   corpus sizes, run smallest first (default 10000000, or BENCH_RECORDS)
 *   --variant V          realistic (default), worst-case, or both
 *   --seed S             corpus seed (default 1)
 *   --memory-limit SIZE  passed to every `flowhawk ingest` and `flowhawk scan` (their syntax)
 *   --no-scan            time the zcat and the ingest only
 *   --keep               keep the workspaces and scan outputs (their folder is printed)
 */
import { parseArgs } from 'node:util';
import { CORPUS_VARIANTS, type CorpusVariant, parseCount, parseVariant } from './generateCorpus.js';

export interface BenchOptions {
  /** ascending, no repeats */
  sizes: number[];
  variants: CorpusVariant[];
  seed: number;
  memoryLimit: string | undefined;
  scan: boolean;
  keep: boolean;
}

/** The default size: about one day of the synthetic estate, and the size issue #12's targets name. */
export const DEFAULT_RECORDS = 10_000_000;

/** A comma list of record counts ('1000000,10000000', '1e6, 1e7'): ascending, without repeats. */
export function parseSizes(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => p === '')) throw new Error(`empty size in the record list "${text}"`);
  const sizes = parts.map(parseCount);
  // no flow record is an input error for flowhawk (exit 3), not a figure
  if (sizes.some((n) => n === 0)) throw new Error(`a corpus needs at least one record: "${text}"`);
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** 'realistic', 'worst-case' or 'both' (realistic first). */
export function parseVariants(text: string): CorpusVariant[] {
  return text === 'both' ? [...CORPUS_VARIANTS] : [parseVariant(text)];
}

/** Throws on unknown options and bad values, with a message for the user. */
export function parseBenchArgs(args: readonly string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      records: { type: 'string' },
      variant: { type: 'string', default: 'realistic' },
      seed: { type: 'string', default: '1' },
      'memory-limit': { type: 'string' },
      'no-scan': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  return {
    sizes: parseSizes(values.records ?? env.BENCH_RECORDS ?? String(DEFAULT_RECORDS)),
    variants: parseVariants(values.variant),
    seed: parseCount(values.seed),
    memoryLimit: values['memory-limit'],
    scan: !values['no-scan'],
    keep: values.keep,
  };
}
