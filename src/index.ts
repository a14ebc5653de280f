/**
 * flowhawk as a library (`import { scan } from 'flowhawk'`): the scan use case the CLI, the server and
 * the eval run, its parts (ingest, analyse, the store), the registries (detectors, output formats) and
 * the types they exchange. Everything else under src/ is internal and may change without notice.
 *
 *   const { report, analysis } = await scan({ sources: ['logs/'] });
 *   process.stdout.write(piecesText(FORMATS.json(report)));
 */

export {
  type AllowlistEntry,
  DEFAULT_CONFIG_FILE,
  type FlowhawkConfig,
  loadConfig,
  resolveConfig,
} from './config/config.js';
export { DETECTORS, type Detector } from './detectors/index.js';
export { analyse } from './engine/analyse.js';
export { FlowhawkError, InterruptedError } from './errors.js';
export {
  type AddressOwner,
  type Direction,
  type EvidenceRecord,
  type Finding,
  type FindingSource,
  SEVERITIES,
  type Severity,
  type Suppression,
  severityRank,
} from './finding.js';
export { type FileProgress, type IngestOptions, ingest } from './ingest/ingest.js';
export type { OutputDefinition, Renderer } from './outputs/defineOutput.js';
export { FORMATS, OUTPUTS } from './outputs/formats.js';
export { type Pieces, piecesText, writePieces } from './outputs/writePieces.js';
export type { ReaderDefinition } from './readers/defineReader.js';
export { type InputFormat, READERS } from './readers/index.js';
export type {
  Analysis,
  DetectorRun,
  IngestSummary,
  ScanReport,
  TrafficOverview,
} from './report.js';
export { shownFindings } from './report.js';
export { type ScanOptions, type ScanProgress, type ScanResult, scan } from './scan.js';
export { DuckdbStore, type StoreOptions } from './store/duckdbStore.js';
export type { AnalysisStore } from './store/store.js';
export { trafficOverview } from './store/trafficOverview.js';
export { VERSION } from './version.js';
