import { type ScanReport, shownFindings } from '../report.js';
import { defineOutput } from './defineOutput.js';

/** One finding per line (the native finding objects), for log shippers and `jq -c`. */
export function* renderFindingsNdjson(report: ScanReport): Generator<string> {
  for (const f of shownFindings(report)) yield `${JSON.stringify(f)}\n`;
}

export const ndjsonOutput = defineOutput({
  id: 'ndjson',
  describe: 'one native finding per line',
  contentType: 'application/x-ndjson',
  extension: 'ndjson',
  render: renderFindingsNdjson,
});
