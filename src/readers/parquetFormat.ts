import { byteText } from './bytes.js';
import { defineReader } from './defineReader.js';

const PARQUET_MAGIC = 'PAR1';

/** AWS's Parquet delivery: recognised here, loaded by DuckDB's own reader in ingest/parquetLoader.ts. */
export const parquetReader = defineReader({
  id: 'parquet',
  describe: ["AWS's Parquet delivery (PAR1 magic), columns by their AWS names"],
  sniff: ({ raw }) => byteText(raw.subarray(0, 4)) === PARQUET_MAGIC,
});
