import bruteforce from './access/bruteforce.js';
import exposure from './access/exposure.js';
import lateral from './access/lateral.js';
import type { Detector } from './define.js';
import pingsweep from './recon/pingsweep.js';
import portscan from './recon/portscan.js';
import portsweep from './recon/portsweep.js';
import probe from './recon/probe.js';

/** The catalogue, in the order findings are reported. Ids are stable: outputs and users key on them. */
export const DETECTORS: readonly Detector[] = [
  portscan,
  portsweep,
  pingsweep,
  probe,
  bruteforce,
  exposure,
  lateral,
];

export type { Detector } from './define.js';
