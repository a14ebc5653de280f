import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DETECTORS } from '../src/detectors/index.js';
import { FORMATS } from '../src/outputs/formats.js';
import { piecesText } from '../src/outputs/writePieces.js';
import { SCENARIOS } from '../test/helpers/detectorScenarios.js';
import { findingsOf, scanBuilt } from '../test/helpers/flowBuilder.js';

/**
 * Writes docs/ocsf-examples.md: one OCSF 1.3.0 event per detector family, rendered from the synthetic
 * scenario that test/roles.test.ts checks for that family's detector. test/ocsfExamplesDoc.test.ts
 * renders them again and fails when the document is out of date or an event is not valid.
 *
 *   node --import tsx scripts/ocsfExamples.ts
 */

/** The detector shown for each family (the folder its card lives in). */
export const FAMILY_EXAMPLES: Readonly<Record<string, string>> = {
  recon: 'portscan',
  access: 'bruteforce',
  c2: 'beacon',
  impact: 'flood',
  intel: 'threatintel',
  abuse: 'spam',
  baseline: 'unusualport',
  health: 'loghealth',
};

/** Record evidences kept per example: the summarising first evidence and two records show the shape. */
const RECORDS_SHOWN = 2;

export const OCSF_EXAMPLES_PATH = fileURLToPath(new URL('../docs/ocsf-examples.md', import.meta.url));

/** One family's event, as a JSON value (record evidences cut to RECORDS_SHOWN), and its detector. */
export async function familyEvent(
  family: string,
): Promise<{ detector: string; event: Record<string, unknown> }> {
  const detector = FAMILY_EXAMPLES[family];
  const scenario = SCENARIOS.find((s) => s.detector === detector);
  if (!detector || !scenario) throw new Error(`no scenario for the ${family} family (${detector})`);
  const analysis = await scanBuilt(
    scenario.records,
    scenario.config ? { config: await scenario.config() } : {},
  );
  const [finding] = findingsOf(analysis, detector);
  if (!finding) throw new Error(`the ${detector} scenario found nothing`);
  const render = FORMATS.ocsf;
  if (!render) throw new Error('no ocsf renderer');
  const report = {
    version: 'VERSION',
    generatedAt: '2026-01-01T00:00:00.000Z',
    analysis: { ...analysis, findings: [finding] },
    showSuppressed: false,
  };
  // the scenario's temporary directory would make every run differ
  const text = piecesText(render(report))
    .replaceAll(`${tmpdir()}/`, '')
    .replace(/flowhawk-[\w-]+?\//g, 'logs/');
  const [event] = JSON.parse(text) as Record<string, unknown>[];
  if (!event) throw new Error(`the ${detector} finding rendered no event`);
  const evidences = event.evidences as unknown[] | undefined;
  const summary = (evidences?.[0] as { data?: { summary?: boolean } } | undefined)?.data?.summary ? 1 : 0;
  if (evidences) event.evidences = evidences.slice(0, summary + RECORDS_SHOWN);
  return { detector, event };
}

export async function ocsfExamplesMarkdown(): Promise<string> {
  const parts = [
    '# OCSF examples, one per detector family',
    '',
    '<!-- Written by `node --import tsx scripts/ocsfExamples.ts`; test/ocsfExamplesDoc.test.ts checks it. -->',
    '',
    'Each event is what `flowhawk scan --format ocsf` writes for the synthetic scenario that',
    "`test/roles.test.ts` checks for the family's detector (documentation addresses, so no owner is",
    `known), with the record evidences after the summarising first one cut to ${RECORDS_SHOWN}. The mapping is in`,
    '[outputs.md](outputs.md#ocsf-130).',
  ];
  for (const family of Object.keys(FAMILY_EXAMPLES)) {
    const { detector, event } = await familyEvent(family);
    const title = DETECTORS.find((d) => d.id === detector)?.title ?? detector;
    parts.push(
      '',
      `## ${family}: ${detector} (${title})`,
      '',
      '```json',
      JSON.stringify(event, null, 2),
      '```',
    );
  }
  return `${parts.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(OCSF_EXAMPLES_PATH, await ocsfExamplesMarkdown());
  process.stdout.write(`wrote ${OCSF_EXAMPLES_PATH}\n`);
}
