import { join } from 'node:path';
import { writeOutput } from '../../src/cli/outputFile.js';
import { FORMATS } from '../../src/outputs/formats.js';
import { syntheticReport } from './manyFindings.js';

/**
 * Writes COUNT synthetic findings to DIR/findings.FORMAT in each format given, as the CLI writes
 * --output (streamed into a temporary file, renamed when complete), in a process of its own so that a
 * test can give it a small heap:
 *
 *   node --max-old-space-size=256 --import tsx test/helpers/renderSynthetic.ts COUNT DIR FORMAT...
 */
const [count = '', dir = '', ...formats] = process.argv.slice(2);
const unknown = formats.filter((format) => !FORMATS[format]);
if (!(Number(count) > 0) || !dir || formats.length === 0 || unknown.length > 0) {
  process.stderr.write(`usage: renderSynthetic.ts COUNT DIR FORMAT... (unknown: ${unknown.join(' ')})\n`);
  process.exit(2);
}
const report = syntheticReport(Number(count));
for (const format of formats) {
  const render = FORMATS[format];
  if (render) await writeOutput(join(dir, `findings.${format}`), render(report));
}
