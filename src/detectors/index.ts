import resolver from './abuse/resolver.js';
import spam from './abuse/spam.js';
import bruteforce from './access/bruteforce.js';
import exposure from './access/exposure.js';
import lateral from './access/lateral.js';
import unusualport from './baseline/unusualport.js';
import beacon from './c2/beacon.js';
import longconn from './c2/longconn.js';
import type { Detector } from './define.js';
import loghealth from './health/loghealth.js';
import dos from './impact/dos.js';
import exfil from './impact/exfil.js';
import flood from './impact/flood.js';
import mining from './intel/mining.js';
import threatintel from './intel/threatintel.js';
import pingsweep from './recon/pingsweep.js';
import portscan from './recon/portscan.js';
import portsweep from './recon/portsweep.js';
import probe from './recon/probe.js';

/** The catalogue, in the order findings are reported. Ids are stable: outputs and users key on them. */
export const DETECTORS: readonly Detector[] = [
  // reconnaissance
  portscan,
  portsweep,
  pingsweep,
  probe,
  // access
  bruteforce,
  exposure,
  lateral,
  // command and control
  beacon,
  longconn,
  threatintel,
  // impact and abuse
  dos,
  flood,
  exfil,
  mining,
  spam,
  resolver,
  // baseline and data quality
  unusualport,
  loghealth,
];

export type { Detector } from './define.js';
