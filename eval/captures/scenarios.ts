import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real-traffic scenarios of eval/captures/: each folder holds the flow log converted from a
 * capture of real tools on loopback (flows.log.gz, see record.sh) and scenario.json, which says
 * what was run, the address plan the converter used, and the labels: who attacked whom and which
 * detectors should say so, and the benign hosts that must stay below medium. The labels come from
 * what was run, never from what flowhawk found.
 */
export const CAPTURES_DIR = fileURLToPath(new URL('./', import.meta.url));

export interface ScenarioAttack {
  actor: string;
  target?: string;
  /** detectors any of which counts as finding it */
  detectors: string[];
  /** the branch or work that brings the detection, when main does not have it yet */
  expectedFrom?: string;
}

export interface Scenario {
  name: string;
  file: string;
  description: string;
  command: string;
  attacks: ScenarioAttack[];
  benign: string[];
  /** the attacked host, whose own activity must not be flagged at medium or above */
  monitoredHost?: string;
  internalNetworks: string[];
  /** the scenario whose capture this one converts through its own plan (the same packets seen otherwise) */
  captureFrom?: string;
}

interface ScenarioFile {
  captureFrom?: string;
  description: string;
  command: string;
  plan: { vpcCidrs: string[] };
  labels: { attacks: ScenarioAttack[]; benign: string[]; monitoredHost?: string };
}

export function loadScenarios(dir = CAPTURES_DIR): Scenario[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'scenario.json')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const file = JSON.parse(readFileSync(join(dir, name, 'scenario.json'), 'utf8')) as ScenarioFile;
      return {
        name,
        file: join(dir, name, 'flows.log.gz'),
        description: file.description,
        command: file.command,
        attacks: file.labels.attacks,
        benign: file.labels.benign,
        ...(file.labels.monitoredHost ? { monitoredHost: file.labels.monitoredHost } : {}),
        // the VPC is the home network, as a user of these logs would configure it
        internalNetworks: file.plan.vpcCidrs,
        ...(file.captureFrom ? { captureFrom: file.captureFrom } : {}),
      };
    });
}
