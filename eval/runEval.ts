/**
 * `npm run eval`: detection quality on real labelled captures (../shared/data/eval) and on the
 * real-traffic scenarios recorded on loopback (eval/captures/, labels in each scenario.json). For each dataset:
 * malicious entities named by a finding versus expected, benign hosts flagged, detectors that fired.
 *
 *   node --import tsx eval/runEval.ts [--only NAME|PREFIX*] [--json FILE] [--strict]
 *
 * Prints a table and, last, one JSON line; writes the JSON to eval/out/results.json too, so runs can
 * be compared. --strict exits 1 when a dataset misses its target.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/config/config.js';
import { DETECTORS } from '../src/detectors/index.js';
import { sharedOwnerLookup } from '../src/engine/enrichFindings.js';
import { addressKey, isPublic } from '../src/enrichment/addressKey.js';
import { type Finding, severityRank } from '../src/finding.js';
import { scan } from '../src/scan.js';
import { DuckdbStore } from '../src/store/duckdbStore.js';
import { DATASETS, type Dataset, type Expected, SCENARIO_DATASETS } from './datasets.js';
import { benignOnlyHosts, readLabelledFlows } from './groundTruth.js';

interface DatasetResult {
  dataset: string;
  target: string;
  records: number;
  expected: number;
  found: number;
  recall: number;
  missed: { actor: string; flows?: number; expectedFrom?: string }[];
  benignFlaggedMediumPlus: { actor: string; detector: string; severity: string }[];
  benignFlaggedAny: number;
  /** which detectors flagged benign hosts, at any severity */
  benignFlaggedBy: Record<string, number>;
  findingsBySeverity: Record<string, number>;
  detectorsFired: Record<string, number>;
  /** internet addresses whose owner (ASN or AWS service) the offline data names: at findings' ends, and all */
  ownersKnown: { findingEnds: number; findingEndsKnown: number; addresses: number; addressesKnown: number };
  seconds: number;
  met: boolean;
}

const { values: args } = parseArgs({
  options: { only: { type: 'string' }, json: { type: 'string' }, strict: { type: 'boolean' } },
});

async function evaluate(dataset: Dataset): Promise<DatasetResult> {
  const started = performance.now();
  // a real-traffic scenario's labels name its benign hosts; a public capture's label column does
  const labelled = dataset.benignHosts ? [] : await readLabelledFlows(dataset.file);
  const benign = dataset.benignHosts ? new Set(dataset.benignHosts) : benignOnlyHosts(labelled);
  const expected = dataset.expected(labelled);
  const store = await DuckdbStore.open();
  try {
    const config = resolveConfig(
      DETECTORS,
      { internalNetworks: dataset.internalNetworks },
      `eval ${dataset.name}`,
    );
    // the store is the eval's own: ownerCoverage reads its address facts after the analysis
    const { ingest: summary, analysis } = await scan({
      sources: [dataset.file],
      store,
      config,
      detectors: DETECTORS,
      ...(dataset.utcOffsetMinutes !== undefined
        ? { ingest: { utcOffsetMinutes: dataset.utcOffsetMinutes } }
        : {}),
    });
    const { findings } = analysis;
    const active = findings.filter((f) => !f.suppressed);
    // a roll-up of internet noise names every one of its sources
    const actors = (f: Finding) => (f.sources ? f.sources.map((s) => s.actor) : [f.actor]);
    const hit = (e: Expected) =>
      active.some(
        (f) =>
          actors(f).includes(e.actor) &&
          e.detectors.includes(f.detector) &&
          (!e.target || f.target === e.target),
      );
    const missed = expected.filter((e) => !hit(e));
    // The monitored host is benign: a finding accusing it of acting (outbound, internal) is false.
    // Inbound findings about it (exposure) describe the attackers' traffic it answered, not its own.
    const falsePositive = (f: Finding) =>
      actors(f).some((actor) => benign.has(actor)) ||
      (f.actor === dataset.monitoredHost && f.direction !== 'inbound');
    const ownersKnown = await ownerCoverage(store, active);
    const medium = severityRank('medium');
    const benignFlagged = active.filter(falsePositive);
    const result: DatasetResult = {
      dataset: dataset.name,
      target: dataset.target,
      records: summary?.records ?? 0,
      expected: expected.length,
      found: expected.length - missed.length,
      recall: expected.length === 0 ? 1 : (expected.length - missed.length) / expected.length,
      missed: missed.map((e) => ({
        actor: e.actor,
        ...(e.flows ? { flows: e.flows } : {}),
        ...(e.expectedFrom ? { expectedFrom: e.expectedFrom } : {}),
      })),
      benignFlaggedMediumPlus: benignFlagged
        .filter((f) => severityRank(f.severity) >= medium)
        .map((f) => ({ actor: f.actor, detector: f.detector, severity: f.severity })),
      benignFlaggedAny: benignFlagged.length,
      benignFlaggedBy: tally(benignFlagged.map((f) => f.detector)),
      findingsBySeverity: tally(active.map((f) => f.severity)),
      detectorsFired: tally(active.map((f) => f.detector)),
      ownersKnown,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      met: false,
    };
    const recallTarget = dataset.monitoredHost ? 0.9 : 1;
    result.met = result.recall >= recallTarget && result.benignFlaggedMediumPlus.length === 0;
    return result;
  } finally {
    store.close();
  }
}

/**
 * How many public internet addresses the enrichment names an owner for (an ASN, or an AWS service): of
 * the ends of the findings (what a reader sees), and of every one in the capture.
 */
async function ownerCoverage(store: DuckdbStore, findings: readonly Finding[]) {
  const lookup = await sharedOwnerLookup();
  const rows = await store.query<{ addr: string }>('SELECT addr FROM fh_address_facts WHERE internal = 0');
  // public unicast only: multicast groups, broadcast and the unspecified address have no owner to find
  const internet = new Set(
    rows
      .map((r) => r.addr)
      .filter((addr) => {
        const key = addressKey(addr);
        return key !== undefined && isPublic(key);
      }),
  );
  const known = (addr: string) => {
    const owner = lookup.describeOwner(addr);
    return owner.asn !== undefined || owner.aws !== undefined;
  };
  const ends = new Set<string>();
  for (const f of findings) {
    for (const addr of [f.actor, f.target, ...(f.sources ?? []).map((s) => s.actor)]) {
      if (addr && internet.has(addr)) ends.add(addr);
    }
  }
  const count = (addrs: Iterable<string>) => {
    let n = 0;
    for (const addr of addrs) if (known(addr)) n++;
    return n;
  };
  return {
    findingEnds: ends.size,
    findingEndsKnown: count(ends),
    addresses: internet.size,
    addressesKnown: count(internet),
  };
}

function tally(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[item] = (out[item] ?? 0) + 1;
  return out;
}

const share = (part: number, whole: number) =>
  whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}% of ${whole.toLocaleString('en-US')}`;

const missedText = (m: DatasetResult['missed'][number]) =>
  `${m.actor}${m.flows ? ` (${m.flows} flows)` : ''}${m.expectedFrom ? ` (expected from ${m.expectedFrom})` : ''}`;

function printTable(results: readonly DatasetResult[]): void {
  const rows = results.map((r) => [
    r.dataset,
    `${r.found}/${r.expected} (${Math.round(r.recall * 100)}%)`,
    `${r.benignFlaggedMediumPlus.length} (${r.benignFlaggedAny} any)`,
    Object.entries(r.detectorsFired)
      .map(([d, n]) => `${d} ${n}`)
      .join(', ') || '-',
    `${share(r.ownersKnown.findingEndsKnown, r.ownersKnown.findingEnds)} / ${share(r.ownersKnown.addressesKnown, r.ownersKnown.addresses)}`,
    r.met ? 'met' : 'MISSED',
    `${r.seconds} s`,
  ]);
  const head = [
    ...['dataset', 'malicious found', 'benign flagged ≥medium', 'detectors fired'],
    ...['internet owners known (finding ends / all)', 'target', 'time'],
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  for (const r of results) {
    console.log(`\n${r.dataset}: ${r.target}`);
    if (r.missed.length > 0) {
      console.log(`  missed: ${r.missed.map(missedText).join(', ')}`);
    }
    for (const b of r.benignFlaggedMediumPlus)
      console.log(`  benign flagged: ${b.actor} by ${b.detector} (${b.severity})`);
  }
}

// --only NAME, or a prefix ending in * ('real:*': the real-traffic scenarios alone)
const only = args.only;
const chosen = [...DATASETS, ...SCENARIO_DATASETS].filter(
  (d) => !only || d.name === only || (only.endsWith('*') && d.name.startsWith(only.slice(0, -1))),
);
const results: DatasetResult[] = [];
for (const dataset of chosen) {
  if (!existsSync(dataset.file)) {
    console.error(
      `eval: ${dataset.file} not found; skipping ${dataset.name} (the public captures live in ../shared/data/eval, the real-traffic ones in eval/captures)`,
    );
    continue;
  }
  results.push(await evaluate(dataset));
}
printTable(results);
const json = JSON.stringify({ eval: 'detection', results });
await mkdir(new URL('./out/', import.meta.url), { recursive: true });
await writeFile(args.json ?? new URL('./out/results.json', import.meta.url), `${json}\n`);
console.log(json);
if (args.strict && results.some((r) => !r.met)) process.exitCode = 1;
