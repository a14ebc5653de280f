import type { DuckdbStore } from './duckdbStore.js';
import type { KindCounts } from './vpcLoader.js';

/** AWS's Parquet delivery option, read by DuckDB's built-in Parquet reader. (In progress.) */
export async function loadParquet(_store: DuckdbStore, _fileId: number, path: string): Promise<KindCounts> {
  throw new Error(`${path}: Parquet input is not supported yet`);
}
