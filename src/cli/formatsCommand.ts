import type { Command } from 'commander';
import { OUTPUTS } from '../outputs/formats.js';

/** What flowhawk reads (recognised from the bytes, never the name); what it writes is outputs/formats.ts. */
const INPUTS: readonly [string, string][] = [
  [
    'vpc-text',
    'AWS VPC Flow Logs as S3 delivers them: a header naming the fields (versions 2-8, any order), gzip or plain',
  ],
  ['vpc-text (no header)', 'the default v2 format, or the order given with --fields'],
  ['parquet', "AWS's Parquet delivery (PAR1 magic), columns by their AWS names"],
  [
    'json',
    'CloudWatch Logs subscription payloads (plain, Lambda base64+gzip), Firehose records, get-log-events output',
  ],
  [
    'cloudwatch-export',
    'CloudWatch Logs exports and `aws logs tail --format short`: <ISO time> <message> lines',
  ],
  ['zeek-conn', 'Zeek conn.log, TSV (#separator header) or JSON lines'],
  [
    'argus-binetflow',
    'Argus binetflow CSV (StartTime,Dur,Proto,SrcAddr,...); times without zone taken as UTC',
  ],
];

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
      const width = Math.max(...INPUTS.map(([name]) => name.length), ...OUTPUTS.map((o) => o.id.length));
      const lines = ['Input (recognised from the bytes, never the file name):'];
      for (const [name, what] of INPUTS) lines.push(`  ${name.padEnd(width)}  ${what}`);
      lines.push('', 'Output (--format):');
      for (const o of OUTPUTS) lines.push(`  ${o.id.padEnd(width)}  ${o.describe}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
