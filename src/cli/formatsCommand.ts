import type { Command } from 'commander';
import { OUTPUTS } from '../outputs/formats.js';
import { READERS } from '../readers/index.js';

/**
 * What flowhawk reads, from the readers' cards (readers/index.ts; recognised from the bytes, never the
 * name), VPC text first as the format most users have; what it writes, from the outputs' cards.
 */
function inputLines(): [string, string][] {
  const readers = [...READERS].sort((a, b) => Number(b.id === 'vpc-text') - Number(a.id === 'vpc-text'));
  return readers.flatMap((r) => r.describe.map((line, i): [string, string] => [i === 0 ? r.id : '', line]));
}

export function registerFormats(program: Command): void {
  program
    .command('formats')
    .description('list the input formats flowhawk reads and the output formats it writes')
    .addHelpText(
      'after',
      `
Examples:
  flowhawk formats
  flowhawk scan logs/ --format ocsf --output findings.json   # any output format listed here`,
    )
    .action(() => {
      const inputs = inputLines();
      const width = Math.max(...inputs.map(([name]) => name.length), ...OUTPUTS.map((o) => o.id.length));
      const lines = ['Input (recognised from the bytes, never the file name):'];
      for (const [name, what] of inputs) lines.push(`  ${name.padEnd(width)}  ${what}`);
      lines.push('', 'Output (--format):');
      for (const o of OUTPUTS) lines.push(`  ${o.id.padEnd(width)}  ${o.describe}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
