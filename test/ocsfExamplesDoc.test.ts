import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAMILY_EXAMPLES, OCSF_EXAMPLES_PATH, ocsfExamplesMarkdown } from '../scripts/ocsfExamples.js';
import { validateOcsfEvent } from '../src/outputs/ocsfSchema/validateOcsf.js';

/** docs/ocsf-examples.md: an event per detector family, valid, and what the code writes today. */
describe('docs/ocsf-examples.md', () => {
  const doc = readFileSync(OCSF_EXAMPLES_PATH, 'utf8');
  const events = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map(
    (m) => JSON.parse(m[1] ?? '') as Record<string, unknown>,
  );

  it('holds one event per detector family, each valid against OCSF 1.3.0', () => {
    const shown = events.map((e) => (e.finding_info as { analytic: { uid: string } }).analytic.uid);
    expect(shown).toEqual(Object.values(FAMILY_EXAMPLES));
    for (const event of events) expect(validateOcsfEvent(event)).toEqual([]);
  });

  it('is what the OCSF output writes today (regenerate with scripts/ocsfExamples.ts)', async () => {
    expect(await ocsfExamplesMarkdown()).toBe(doc);
  }, 60_000);
});
