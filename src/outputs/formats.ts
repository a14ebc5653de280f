import type { TrafficOverview } from '../store/trafficOverview.js';
import { renderAsff } from './asff.js';
import { renderFindingsCsv } from './findingsCsv.js';
import { renderFindingsJson } from './findingsJson.js';
import { renderFindingsMarkdown } from './findingsMarkdown.js';
import { renderFindingsNdjson } from './findingsNdjson.js';
import { renderFindingsTable } from './findingsTable.js';
import { renderFindingsHtml } from './html/index.js';
import { renderOcsf } from './ocsf.js';
import type { ScanReport } from './scanReport.js';
import type { Pieces } from './writePieces.js';

/**
 * Every output format by its --format name; html also draws the store's traffic when given. Each
 * yields its document in pieces as it renders them (write them with writePieces).
 */
export type Renderer = (report: ScanReport, traffic?: TrafficOverview) => Pieces;

export const FORMATS: Readonly<Record<string, Renderer>> = {
  table: renderFindingsTable,
  html: (report, traffic) => renderFindingsHtml(report, traffic ? { traffic } : {}),
  json: renderFindingsJson,
  ndjson: renderFindingsNdjson,
  csv: renderFindingsCsv,
  md: renderFindingsMarkdown,
  ocsf: renderOcsf,
  asff: renderAsff,
};
