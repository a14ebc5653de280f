import exposure from './access/exposure.js';
import type { Detector } from './define.js';
import portscan from './recon/portscan.js';
import probe from './recon/probe.js';

/** The catalogue, in the order findings are reported. Ids are stable: outputs and users key on them. */
export const DETECTORS: readonly Detector[] = [portscan, probe, exposure];

export type { Detector } from './define.js';
