import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../src/detectors/index.js';
import type { Finding } from '../src/finding.js';
import { FORMATS } from '../src/outputs/formats.js';
import { validateOcsfEvent } from '../src/outputs/ocsfSchema/validateOcsf.js';
import { piecesText } from '../src/outputs/writePieces.js';
import type { Analysis, ScanReport } from '../src/report.js';
import { asffProblems } from './helpers/asffRules.js';
import { type DetectorScenario, SCENARIOS } from './helpers/detectorScenarios.js';
import { findingsOf, scanBuilt } from './helpers/flowBuilder.js';
import { MODE_SCENARIOS } from './helpers/modeScenarios.js';

/**
 * Roles, per detector: a scenario built to trigger it (test/helpers/detectorScenarios.ts; its modes
 * whose roles differ, test/helpers/modeScenarios.ts), analysed with
 * the whole default catalogue and config as the CLI does, names the right actor (who initiates or does
 * the bad thing) and target (who it is done to), and its OCSF and ASFF renderings are valid and put the
 * actor at the source and the target at the destination.
 */

// biome-ignore lint/suspicious/noExplicitAny: rendered JSON, walked by path
type Json = Record<string, any>;

/** our hosts in the scenarios are 10.x; internet hosts are documentation addresses */
const ours = (address: string) => address.startsWith('10.');

function render(format: 'ocsf' | 'asff', analysis: Analysis): Json[] {
  const report: ScanReport = {
    version: 'test',
    generatedAt: new Date(0).toISOString(),
    analysis,
    showSuppressed: false,
  };
  const renderer = FORMATS[format];
  if (!renderer) throw new Error(`no ${format} renderer`);
  return JSON.parse(piecesText(renderer(report))) as Json[];
}

async function scenarioFinding(s: DetectorScenario): Promise<{ finding: Finding; analysis: Analysis }> {
  const analysis = await scanBuilt(s.records, s.config ? { config: await s.config() } : {});
  const found = findingsOf(analysis, s.detector);
  // exactly one finding of the detector, so a reversed twin beside the right one fails too
  expect(
    found.map((f) => ({ actor: f.actor, target: f.target })),
    `${s.detector} findings`,
  ).toEqual([{ actor: s.actor, target: s.target }]);
  return { finding: found[0] as Finding, analysis };
}

function checkSources(s: DetectorScenario, finding: Finding): void {
  if (!s.sources) {
    expect(finding.sources, 'a finding with one sender lists no sources').toBeUndefined();
    return;
  }
  const actors = finding.sources?.map((source) => source.actor) ?? [];
  expect(new Set(actors), 'every planted sender, each once').toEqual(new Set(s.sources));
  expect(actors).toHaveLength(s.sources.length);
  expect(actors[0], 'the busiest sender first, and the actor').toBe(finding.actor);
  const packets = finding.sources?.map((source) => source.packets ?? 0) ?? [];
  expect(packets, 'busiest first').toEqual([...packets].sort((a, b) => b - a));
}

function checkOcsf(s: DetectorScenario, finding: Finding, analysis: Analysis): void {
  const events = render('ocsf', analysis);
  const event = events.find((e) => e.metadata?.uid === finding.id);
  expect(event, 'the finding has an OCSF event').toBeDefined();
  if (!event) return;
  expect(validateOcsfEvent(event).map((p) => `${p.path}: ${p.message}`)).toEqual([]);
  expect(event.finding_info.analytic.uid).toBe(s.detector);
  expect(event.unmapped).toMatchObject({ actor: s.actor, target: s.target });
  if (!isIP(s.actor)) {
    // about an interface's log, not traffic: no summary endpoints, the interface among the resources
    expect(event.evidences?.[0]?.data?.summary).toBeUndefined();
    expect(event.resources?.map((r: Json) => r.uid)).toContain(s.actor);
    return;
  }
  const [summary] = event.evidences as Json[];
  expect(summary?.data?.summary).toBe(true);
  expect(summary?.src_endpoint?.ip, 'OCSF source: the actor').toBe(s.actor);
  expect(summary?.dst_endpoint?.ip, 'OCSF destination: the target').toBe(s.target ?? undefined);
  const direction = summary?.connection_info?.direction;
  if (ours(s.actor)) expect(['Outbound', 'Lateral']).toContain(direction);
  else expect(direction).toBe('Inbound');
  if (s.sources) {
    const listed = (event.observables as Json[])
      .filter((o) => o.name === 'unmapped.sources.actor')
      .map((o) => o.value);
    expect(new Set(listed)).toEqual(new Set(s.sources));
  }
}

function checkAsff(s: DetectorScenario, finding: Finding, analysis: Analysis): void {
  const asff = render('asff', analysis).find((f) => f.Id === `flowhawk/${s.detector}/${finding.id}`);
  expect(asff, 'the finding has an ASFF finding').toBeDefined();
  if (!asff) return;
  expect(asffProblems(asff)).toEqual([]);
  expect(asff.GeneratorId).toBe(`flowhawk-${s.detector}`);
  if (!isIP(s.actor)) {
    expect(asff.Network).toBeUndefined();
    expect(asff.Resources.map((r: Json) => r.Details?.Other?.InterfaceId)).toContain(s.actor);
    return;
  }
  const inbound = !ours(s.actor);
  expect(asff.Network, 'ASFF Network: actor at the source, target at the destination').toMatchObject({
    Direction: inbound ? 'IN' : 'OUT',
    SourceIpV4: s.actor,
  });
  expect(asff.Network.DestinationIpV4).toBe(s.target ?? undefined);
  const action = asff.Action.NetworkConnectionAction;
  expect(action.ConnectionDirection).toBe(inbound ? 'INBOUND' : 'OUTBOUND');
  // the remote end is the internet side: the actor coming in, the target going out
  const remote = inbound ? s.actor : s.target && !ours(s.target) ? s.target : undefined;
  expect(action.RemoteIpDetails?.IpAddressV4).toBe(remote);
  // our hosts among the ends are resources
  const resources = asff.Resources.map((r: Json) => r.Id);
  for (const host of [s.actor, s.target]) if (host && ours(host)) expect(resources).toContain(host);
}

/**
 * Detectors whose scenario shows a real defect (roles reversed, an output invalid): the case stays as
 * it.fails with what is wrong, until the detector or output is fixed. Empty: every detector passes.
 */
const KNOWN_WRONG: Readonly<Record<string, string>> = {};

describe('roles of every detector, and their OCSF and ASFF renderings', () => {
  for (const s of [...SCENARIOS, ...MODE_SCENARIOS]) {
    const test = KNOWN_WRONG[s.detector] ? it.fails : it;
    test(`${s.detector}: ${s.description}`, async () => {
      const { finding, analysis } = await scenarioFinding(s);
      checkSources(s, finding);
      checkOcsf(s, finding, analysis);
      checkAsff(s, finding, analysis);
    });
  }

  it('has a main scenario for every detector in the catalogue, and one only (modes beside it)', () => {
    const covered = SCENARIOS.map((s) => s.detector);
    expect(new Set(covered).size).toBe(covered.length);
    expect([...covered].sort()).toEqual(DETECTORS.map((d) => d.id).sort());
  });
});
