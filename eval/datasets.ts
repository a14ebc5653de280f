import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarios, type Scenario } from './captures/scenarios.js';
import { type LabelledFlow, maliciousSources } from './groundTruth.js';

/** The labelled captures in ../shared/data/eval (see its README for the truth stated here). */
export const EVAL_DIR = fileURLToPath(new URL('../../shared/data/eval/', import.meta.url));

export interface Expected {
  /** the malicious entity: a host, or a host→host pair */
  actor: string;
  target?: string;
  /** detectors any of which counts as finding it */
  detectors: readonly string[];
  /** labelled malicious flows it sent, for the report */
  flows?: number;
  /** the branch or work that brings the detection, when this one does not have it yet */
  expectedFrom?: string;
}

export interface Dataset {
  name: string;
  file: string;
  /** the capture's home network: flowhawk's internalNetworks for this run */
  internalNetworks: readonly string[];
  /** Argus times are local: minutes east of UTC */
  utcOffsetMinutes?: number;
  /** the entities a good detector names, derived from the labels and the README */
  expected(flows: readonly LabelledFlow[]): Expected[];
  /** the host whose own (benign) activity must not be flagged at medium or above */
  monitoredHost?: string;
  /** the benign hosts, when labels say so rather than the capture's label column (real-traffic scenarios) */
  benignHosts?: readonly string[];
  /** what the README asks for, in one line */
  target: string;
}

const RECON = ['portscan', 'portsweep', 'pingsweep', 'probe', 'bruteforce'];

const attackedHost = (name: string, host: string): Dataset => ({
  name,
  file: join(EVAL_DIR, name, 'conn.log.labeled.gz'),
  internalNetworks: [`${host}/32`],
  monitoredHost: host,
  target:
    '≥ 90% of attackers with ≥ 10 flows named by a scan/probe/bruteforce finding; host not flagged ≥ medium',
  expected: (flows) =>
    [...maliciousSources(flows, 10)].map(([actor, n]) => ({
      actor,
      target: host,
      detectors: RECON,
      flows: n,
    })),
});

export const DATASETS: readonly Dataset[] = [
  attackedHost('stratosphere-008-attacked-host', '147.32.81.167'),
  attackedHost('stratosphere-010-attacked-host', '147.32.83.234'),
  {
    name: 'ctu13-scenario11',
    file: join(EVAL_DIR, 'ctu13-scenario11', 'capture20110818-2.binetflow.gz'),
    internalNetworks: ['147.32.0.0/16'],
    utcOffsetMinutes: 120,
    target: 'an outbound flood (dos) for .165 and .191; normal hosts not flagged ≥ medium',
    expected: () => [
      { actor: '147.32.84.165', detectors: ['dos'] },
      { actor: '147.32.84.191', detectors: ['dos'] },
    ],
  },
  {
    name: 'stratosphere-001-njrat',
    file: join(EVAL_DIR, 'stratosphere-001-njrat', 'labeled-conn.log'),
    internalNetworks: [],
    target: 'a C2 finding for 192.168.1.115 → 41.108.179.197',
    expected: () => [
      { actor: '192.168.1.115', target: '41.108.179.197', detectors: ['beacon', 'longconn', 'threatintel'] },
    ],
  },
];

/** A real-traffic scenario of eval/captures/ (real tools on loopback, converted) as a dataset. */
function scenarioDataset(s: Scenario): Dataset {
  const attacks = s.attacks.map((a) => `${a.actor} by ${a.detectors.join('/')}`).join(', ');
  return {
    name: `real:${s.name}`,
    file: s.file,
    internalNetworks: s.internalNetworks,
    ...(s.monitoredHost ? { monitoredHost: s.monitoredHost } : {}),
    benignHosts: s.benign,
    target: `${attacks ? `${attacks} named` : 'benign traffic only'}; 0 benign hosts flagged ≥ medium`,
    expected: () =>
      s.attacks.map((a) => ({
        actor: a.actor,
        ...(a.target ? { target: a.target } : {}),
        detectors: a.detectors,
        ...(a.expectedFrom ? { expectedFrom: a.expectedFrom } : {}),
      })),
  };
}

/** The real-traffic scenarios recorded on loopback (eval/captures/, in this repo). */
export const SCENARIO_DATASETS: readonly Dataset[] = loadScenarios().map(scenarioDataset);
