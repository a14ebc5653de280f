import type { ScanReport } from '../report.js';
import type { Pieces } from './writePieces.js';

/**
 * An output format renders a report, yielding its document in pieces as it renders them (write them
 * with writePieces); html also draws the report's traffic when it has one.
 */
export type Renderer = (report: ScanReport) => Pieces;

/**
 * The card of an output format, in the shape of the detector cards: each output's own file exports
 * one, and formats.ts lists them. `flowhawk formats`, --format, the server's downloads and its API
 * document all read these fields, so adding an output is its file and one line of that list.
 */
export interface OutputDefinition {
  /** the --format name, and the `format` of the server's report download */
  readonly id: string;
  /** one line for `flowhawk formats`: what the document holds and whom it is for */
  readonly describe: string;
  /** the HTTP Content-Type of the document */
  readonly contentType: string;
  /** the ending of the downloaded file's name, without the dot: `csv`, `ocsf.json` */
  readonly extension: string;
  readonly render: Renderer;
}

/** Identity, for type checking (as defineDetector). */
export const defineOutput = (output: OutputDefinition): OutputDefinition => output;
