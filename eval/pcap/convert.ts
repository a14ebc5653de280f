/**
 * pcap → VPC flow log, as AWS delivers it to S3 (gzip, header line, custom v5 format):
 *
 *   node --import tsx eval/pcap/convert.ts CAPTURE.pcap SCENARIO.json OUT.log.gz [--interval 60|600]
 *
 * CAPTURE may be gzipped. SCENARIO.json holds the address plan under `plan` (see plan.ts); --interval overrides its
 * aggregation interval. Prints what it wrote and what it left out.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { renderFlowLog, type TimedPacket, toFlowRecords } from './flowLog.js';
import { decodeIp } from './ipPacket.js';
import { readPcap } from './pcapFile.js';
import { checkPlan } from './plan.js';

export async function convertPcap(pcapPath: string, scenarioPath: string, interval?: number) {
  const scenario = JSON.parse(await readFile(scenarioPath, 'utf8')) as { plan?: unknown };
  const plan = checkPlan({
    ...(scenario.plan as object),
    ...(interval ? { intervalSeconds: interval } : {}),
  });
  const raw = await readFile(pcapPath);
  // the captures kept in the repo are gzipped pcaps
  const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const capture = readPcap(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const packets: TimedPacket[] = [];
  let undecoded = 0;
  for (const c of capture.packets) {
    const packet = decodeIp(c.ip, c.wireLength);
    if (packet) packets.push({ time: c.time, packet });
    else undecoded++;
  }
  const conversion = toFlowRecords(packets, plan);
  return { text: renderFlowLog(conversion.records, plan), conversion, capture, undecoded };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values, positionals } = parseArgs({
    options: { interval: { type: 'string' } },
    allowPositionals: true,
  });
  const [pcap, scenario, out] = positionals;
  if (!pcap || !scenario || !out) {
    console.error('usage: convert.ts CAPTURE.pcap SCENARIO.json OUT.log.gz [--interval 60|600]');
    process.exit(2);
  }
  const result = await convertPcap(pcap, scenario, values.interval ? Number(values.interval) : undefined);
  await writeFile(out, gzipSync(result.text, { level: 9 }));
  const { records, unplanned, droppedReplies, forged } = result.conversion;
  console.log(
    `${out}: ${records.length} records from ${result.capture.packets.length} packets ` +
      `(${unplanned} unplanned, ${droppedReplies} replies to rejected traffic dropped, ${forged} forged, ` +
      `${result.capture.skipped + result.undecoded} not IP)`,
  );
}
