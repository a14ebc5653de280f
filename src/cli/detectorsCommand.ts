import type { Command } from 'commander';
import { DETECTORS } from '../detectors/index.js';
import { renderCatalogueMarkdown, renderCatalogueText } from '../outputs/catalogue.js';

export function registerDetectors(program: Command): void {
  program
    .command('detectors')
    .description('list the detectors: ids, ATT&CK techniques, required fields and thresholds')
    .option('--json', 'the catalogue as JSON')
    .option('--markdown', 'the catalogue as Markdown (docs/detectors.md is made with this)')
    .addHelpText(
      'after',
      `
Examples:
  flowhawk detectors                                  # ids, ATT&CK, required fields, every threshold
  flowhawk detectors --json | jq '.[] | select(.id == "beacon") | .params'
  flowhawk detectors --markdown > docs/detectors.md`,
    )
    .action((options: { json?: boolean; markdown?: boolean }) => {
      if (options.json) process.stdout.write(`${JSON.stringify(DETECTORS.map(cardFacts), null, 2)}\n`);
      else if (options.markdown) process.stdout.write(renderCatalogueMarkdown(DETECTORS));
      else process.stdout.write(renderCatalogueText(DETECTORS));
    });
}

const cardFacts = (d: (typeof DETECTORS)[number]) => ({
  id: d.id,
  title: d.title,
  description: d.description,
  status: d.status,
  attack: d.attack,
  severity: d.severity,
  requires: d.requires,
  uses: d.uses,
  falsePositives: d.falsePositives,
  references: d.references,
  params: d.params,
});
