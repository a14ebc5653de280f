import { asffOutput } from './asff.js';
import type { OutputDefinition, Renderer } from './defineOutput.js';
import { csvOutput } from './findingsCsv.js';
import { jsonOutput } from './findingsJson.js';
import { mdOutput } from './findingsMarkdown.js';
import { ndjsonOutput } from './findingsNdjson.js';
import { tableOutput } from './findingsTable.js';
import { htmlOutput } from './html/index.js';
import { ocsfOutput } from './ocsf.js';

export type { OutputDefinition, Renderer } from './defineOutput.js';

/**
 * Every output format, in the order `flowhawk formats`, --help and the server's API list them: the one
 * list of them (an output is its own file's defineOutput and a line here; src/outputs/outputs.test.ts
 * checks that no renderer is left out).
 */
export const OUTPUTS: readonly OutputDefinition[] = [
  tableOutput,
  htmlOutput,
  jsonOutput,
  ndjsonOutput,
  csvOutput,
  mdOutput,
  ocsfOutput,
  asffOutput,
];

/** The output format of a --format name, if there is one. */
export const outputById = (id: string): OutputDefinition | undefined => OUTPUTS.find((o) => o.id === id);

/** Every output's renderer by its --format name. */
export const FORMATS: Readonly<Record<string, Renderer>> = Object.fromEntries(
  OUTPUTS.map((o) => [o.id, o.render]),
);
