import type { Severity } from '../../finding.js';
import { sqlIntList, sqlNumber } from '../../store/dialect.js';
import { defineDetector, param } from '../define.js';
import { count, logShare, portList, round } from '../describe.js';
import { REMOTE_ADMIN_PORTS } from '../servicePorts.js';
import { duration, type Run, runs, widest } from '../timeWindows.js';

/** One internal client; the lists hold one entry per connection, in time order. */
interface Row {
  client: string;
  connections: number;
  hosts: number;
  failed: number;
  first_seen: number;
  last_seen: number;
  starts: number[];
  servers: string[];
  ports: number[];
}

const TCP = 6;

export default defineDetector({
  id: 'lateral',
  title: 'Lateral movement fan-out',
  description:
    'An internal host opening remote-administration sessions (SMB, RPC, RDP, WinRM, SSH) to many other internal hosts within minutes: a worm, a PsExec/WMI push, or an intruder spreading. The same hosts reached again and again over hours is scheduled administration and rated low.',
  status: 'stable',
  attack: ['T1021', 'T1021.001', 'T1021.002', 'T1021.004', 'T1021.006', 'T1570'],
  severity: 'high',
  asffType: 'TTPs/Lateral Movement/Remote Services',
  requires: ['src_addr', 'dst_addr', 'dst_port', 'protocol', 'start_time'],
  uses: [
    {
      field: 'tcp_flags',
      without: 'whether a host answered is guessed from packet counts, not from SYN/SYN-ACK/RST',
    },
    {
      field: 'action',
      without: 'connections blocked by a security group or network ACL look unanswered, not blocked',
    },
  ],
  reads: {
    connections: [
      'client',
      'client_port',
      'server',
      'server_port',
      'protocol',
      'first_seen',
      'last_seen',
      'failed',
      'client_internal',
      'server_internal',
    ],
    flows: [],
  },
  falsePositives: [
    'bastion hosts, configuration management (Ansible, Salt SSH), patching and backup servers, and monitoring that logs in to many hosts: rated low when they reach the same hosts in repeated runs over hours, high when the logs hold a single run — allowlist them by CIDR and port',
    'vulnerability scanners and asset inventory (also seen by portsweep)',
    'an administrator working through a list of servers by hand faster than one every minute',
  ],
  references: [
    'MITRE ATT&CK T1021 Remote Services, T1570 Lateral Tool Transfer',
    'Stratosphere Slips horizontal port scan (one port, many hosts)',
    'Amazon GuardDuty Recon:EC2/Portscan and Behavior:EC2/NetworkPortUnusual (outbound only: internal fan-out has no GuardDuty finding)',
  ],
  params: {
    ports: param(
      REMOTE_ADMIN_PORTS,
      'port list',
      'SSH, RPC, NetBIOS/SMB, RDP and WinRM: what remote execution and lateral tool transfer ride on',
    ),
    minHosts: param(
      10,
      'internal hosts',
      'a workstation talks SMB/RDP to a handful of servers (file servers, domain controllers, a few admin targets); ten distinct hosts within the window is a sweep or a push',
    ),
    window: param(
      600,
      'seconds',
      'a worm or push tool reaches dozens of hosts within minutes; not shorter than the 10-minute AWS aggregation interval, so one sweep is not split across records',
    ),
    steadyRuns: param(
      3,
      'runs',
      'fan-outs (windows reaching minHosts hosts) before a host counts as running on a schedule: two could be an intruder repeating a sweep',
    ),
    steadyMinSeconds: param(
      7200,
      'seconds',
      'first to last run: a credential spray or a worm pass is over within about an hour, configuration management and monitoring repeat for as long as the logs run',
    ),
    sameHostsShare: param(
      0.8,
      'ratio 0-1',
      'share of the hosts of each later run already reached by an earlier run: a schedule works through one inventory, a spreading intruder reaches new hosts',
    ),
    steadyMaxFailedShare: param(
      0.5,
      'ratio 0-1',
      'above this share of failed connections a repeated fan-out is a worm rescanning its subnet, not administration, and stays high',
    ),
  },

  feature: (p, { dialect: d, direction }) => `
    WITH admin AS (
      SELECT client, server, server_port, client_port, first_seen, last_seen, failed
      FROM fh_connections
      WHERE protocol = ${TCP} AND server_port IN (${sqlIntList(p.ports)}) AND client <> server
        AND ${direction} = 'internal'
    ),
    fanning AS (
      SELECT client FROM admin GROUP BY client HAVING count(DISTINCT server) >= ${sqlNumber(p.minHosts)}
    ),
    picked AS (
      SELECT admin.*, row_number() OVER (
          PARTITION BY admin.client ORDER BY admin.first_seen, admin.server, admin.server_port, admin.client_port) AS seq
      FROM admin JOIN fanning ON fanning.client = admin.client
    )
    SELECT client, count(*) AS connections, count(DISTINCT server) AS hosts, sum(failed) AS failed,
      min(first_seen) AS first_seen, coalesce(max(last_seen), max(first_seen)) AS last_seen,
      ${d.orderedList('first_seen', 'seq')} AS starts, ${d.orderedList('server', 'seq')} AS servers,
      ${d.orderedList('server_port', 'seq')} AS ports
    FROM picked
    GROUP BY client`,

  score: (row: Row, p) => {
    const peak = widest(row.starts, row.servers, p.window);
    if (peak.count < p.minHosts) return undefined;
    const found = runs(row.starts, row.servers, p.window, p.minHosts);
    const failedShare = row.failed / row.connections;
    const repeat = repeatShare(found);
    const runSpan = (found.at(-1)?.start ?? 0) - (found[0]?.start ?? 0);
    const steady =
      found.length >= p.steadyRuns &&
      runSpan >= p.steadyMinSeconds &&
      repeat >= p.sameHostsShare &&
      failedShare <= p.steadyMaxFailedShare;
    const allFailed = row.failed === row.connections;
    const severity: Severity = steady ? 'low' : allFailed ? 'medium' : 'high';
    const ports = [...new Set(row.ports)].sort((a, b) => a - b);
    const answered = row.connections - row.failed;
    const outcome = allFailed
      ? 'none answered, so nothing moved yet'
      : `${count(answered)} of ${count(row.connections)} connections answered`;
    const schedule = steady
      ? `; the same hosts were reached in ${found.length} runs over ${duration(runSpan)} (${round(repeat * 100, 0)}% already reached before), a schedule like configuration management or monitoring: rated low, allowlist it if expected`
      : '';
    return {
      actor: row.client,
      target: null,
      targetCount: row.hosts,
      direction: 'internal',
      severity,
      confidence: steady ? 0.5 : allFailed ? 0.6 : 0.8,
      firstSeen: row.first_seen,
      lastSeen: row.last_seen,
      count: row.connections,
      explanation: `${row.client} reached ${count(peak.count)} internal hosts on ${ports.length > 1 ? 'ports' : 'port'} ${portList(ports)} within ${duration(peak.to - peak.from)} (threshold ${p.minHosts} hosts within ${duration(p.window)}), ${count(row.hosts)} in all; ${outcome}${schedule}.`,
      subScores: {
        breadth: round(logShare(peak.count, 256)),
        answeredShare: round(answered / row.connections),
        schedule: steady ? 1 : round(Math.min(1, found.length / p.steadyRuns) * repeat),
      },
      metrics: {
        peakHosts: peak.count,
        peakSeconds: round(peak.to - peak.from),
        hosts: row.hosts,
        connections: row.connections,
        answered,
        failed: row.failed,
        ports: ports.join(' '),
        runs: found.length,
        repeatShare: round(repeat),
      },
      evidence: { client: row.client, serverPorts: ports, protocol: TCP },
    };
  },
});

// ——— internal helpers ———

/** Share of the hosts of runs after the first that an earlier run had already reached (0 with one run). */
function repeatShare(found: readonly Run[]): number {
  const seen = new Set<string>();
  let again = 0;
  let later = 0;
  found.forEach((run, i) => {
    for (const host of run.keys) {
      if (i > 0) {
        later++;
        if (seen.has(host)) again++;
      }
      seen.add(host);
    }
  });
  return later > 0 ? again / later : 0;
}
