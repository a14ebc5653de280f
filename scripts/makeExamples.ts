/**
 * Writes the incident file of the bundled sample data (examples/): five attacks, each a story a
 * detector should tell, in one 5-minute VPC flow log file beside the background traffic made by
 * bench/generateCorpus.ts (6,000 records, seed 7). Same input, same bytes: re-running changes nothing.
 *
 *   node --import tsx scripts/makeExamples.ts
 *
 * The records come from the synthetic-flow builder the detector tests use, so the sample shows what
 * the tests check.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FlowBuilder } from '../test/helpers/flowBuilder.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The background window: 2024-03-11 00:00-00:05 UTC. */
const T0 = 1_710_115_200;

const WEB = '10.48.6.191';
const WEB_ENI = 'eni-0735669d74d8cdd66';
const BASTION = '10.48.1.10';
const BASTION_ENI = 'eni-0b4571011a1ce5b40';
const REDIS = '10.48.28.49';
const REDIS_ENI = 'eni-0b99704802ddf5367';
const INTRUDER = '10.48.20.15';
const eniOf = (host: number) => `eni-0f${host.toString(16).padStart(15, '0')}`;

const flows = new FlowBuilder()
  // 1. an internet scanner walks 400 ports of the web host; the security group drops them all
  .repeat(400, 0.5, T0 + 5, (i, at) => ({
    client: '198.51.100.23',
    server: WEB,
    port: i + 1,
    at,
    outcome: 'rejected',
    serverInterface: WEB_ENI,
  }))
  // 2. SSH password guessing on the bastion, then one long, large session: it may have worked
  .repeat(45, 4, T0 + 10, (_, at) => ({
    client: '203.0.113.77',
    server: BASTION,
    port: 22,
    at,
    duration: 3,
    outPackets: 22,
    outBytes: 3100,
    inPackets: 20,
    inBytes: 3900,
    serverInterface: BASTION_ENI,
  }))
  .tcp({
    client: '203.0.113.77',
    server: BASTION,
    port: 22,
    at: T0 + 195,
    duration: 100,
    outPackets: 900,
    outBytes: 460_000,
    inPackets: 1100,
    inBytes: 1_900_000,
    serverInterface: BASTION_ENI,
  })
  // 3. a compromised app host sweeps SMB across 60 internal hosts: a few answer
  .repeat(60, 2, T0 + 60, (i, at) => ({
    client: INTRUDER,
    server: `10.48.30.${i + 10}`,
    port: 445,
    at,
    outcome: i % 6 === 0 ? 'open' : 'refused',
    serverInterface: eniOf(0x3000 + i),
  }))
  // 4. and pings 40 more, most of them not there
  .repeat(40, 1, T0 + 30, (i, at) => ({
    client: INTRUDER,
    server: `10.48.40.${i + 1}`,
    port: 0,
    clientPort: 0,
    protocol: 1,
    at,
    outcome: i % 8 === 0 ? 'open' : 'dropped',
    outPackets: 1,
    outBytes: 84,
    inPackets: 1,
    inBytes: 84,
    serverInterface: eniOf(0x4000 + i),
  }))
  // 5. Redis answers the internet: a client uses it, a prober keeps coming back
  .repeat(3, 60, T0 + 20, (_, at) => ({
    client: '185.220.101.4',
    server: REDIS,
    port: 6379,
    at,
    outBytes: 5200,
    inBytes: 48_000,
    serverInterface: REDIS_ENI,
  }))
  .repeat(8, 30, T0 + 40, (_, at) => ({
    client: '45.155.205.99',
    server: REDIS,
    port: 6379,
    at,
    outPackets: 3,
    outBytes: 180,
    inPackets: 2,
    inBytes: 120,
    serverInterface: REDIS_ENI,
  }));

const dir = join(ROOT, 'examples/AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/03/11/00');
const file = join(
  dir,
  '123456789012_vpcflowlogs_us-east-1_fl-0c0ffee5ca1ab1e00_20240311T0005Z_5ca1ab1e.log.gz',
);
await mkdir(dir, { recursive: true });
await writeFile(file, gzipSync(flows.text(), { level: 9 }));
console.log(`wrote ${flows.size} records to ${file.slice(ROOT.length)}`);
