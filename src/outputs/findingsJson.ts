import { type Analysis, type IngestSummary, type ScanReport, shownFindings } from '../report.js';
import { defineOutput } from './defineOutput.js';
import { jsonArray } from './jsonPieces.js';

/**
 * The native findings document (`--format json`): everything flowhawk knows, for scripts. Written as
 * `JSON.stringify(document, null, 2)` would, but the findings one at a time, last in the document.
 */
export function* renderFindingsJson(report: ScanReport): Generator<string> {
  const { analysis, ingest } = report;
  const head = JSON.stringify(
    {
      tool: 'flowhawk',
      version: report.version,
      generatedAt: report.generatedAt,
      ingest: ingest ?? null,
      analysis: analysisFacts(analysis),
    },
    null,
    2,
  );
  // the head ends in "\n}": the findings go before that brace
  yield `${head.slice(0, -2)},\n  "findings": `;
  yield* jsonArray(shownFindings(report), 1);
  yield '\n}\n';
}

function analysisFacts(analysis: Analysis) {
  let suppressed = 0;
  for (const f of analysis.findings) if (f.suppressed) suppressed++;
  return {
    connections: analysis.connections,
    elapsedMs: analysis.elapsedMs,
    suppressed,
    detectors: analysis.detectors,
    // the data behind actorOwner/targetOwner, with its date and the credit its licence asks for
    enrichment: analysis.enrichment ?? [],
    ...(analysis.enrichmentWarnings ? { enrichmentWarnings: analysis.enrichmentWarnings } : {}),
  };
}

export type { IngestSummary };

export const jsonOutput = defineOutput({
  id: 'json',
  describe: 'native findings with evidence records, the ingest summary and detector runs',
  contentType: 'application/json',
  extension: 'json',
  render: renderFindingsJson,
});
