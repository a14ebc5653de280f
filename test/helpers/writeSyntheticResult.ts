import { runOutputs, writeRunOutputs } from '../../src/server/resultFiles.js';
import { syntheticReport } from './manyFindings.js';

/**
 * Writes a job result of COUNT synthetic findings, each with EVIDENCE records, into DIR as serve's
 * job worker writes a run (report.json, findings.ndjson, overview.json), in a process of its own so
 * that a test can give it a small heap:
 *
 *   node --max-old-space-size=256 --import tsx test/helpers/writeSyntheticResult.ts COUNT EVIDENCE DIR
 */
const [count = '', evidence = '', dir = ''] = process.argv.slice(2);
if (!(Number(count) > 0) || !(Number(evidence) >= 0) || !dir) {
  process.stderr.write('usage: writeSyntheticResult.ts COUNT EVIDENCE DIR\n');
  process.exit(2);
}
await writeRunOutputs(runOutputs(dir), {
  report: syntheticReport(Number(count), Number(evidence)),
  traffic: null,
});
