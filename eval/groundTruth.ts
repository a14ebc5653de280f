import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/**
 * Ground truth from the label columns of the eval captures. Only the eval reads these: flowhawk's
 * readers drop label columns, so detectors never see them.
 */
export type LabelClass = 'malicious' | 'benign' | 'background';

export interface LabelledFlow {
  src: string;
  dst: string;
  label: LabelClass;
}

/** Zeek TSV (`label` column: Malicious / Benign / Background) or Argus CSV (`Label`: flow=From-Botnet-…). */
export async function readLabelledFlows(path: string): Promise<LabelledFlow[]> {
  const input = createReadStream(path);
  const lines = createInterface({ input: path.endsWith('.gz') ? input.pipe(createGunzip()) : input });
  const flows: LabelledFlow[] = [];
  let columns: string[] | undefined;
  let kind: 'zeek' | 'argus' | undefined;
  for await (const line of lines) {
    if (line.startsWith('#fields')) {
      columns = line.split('\t').slice(1);
      kind = 'zeek';
      continue;
    }
    if (line.startsWith('#') || line === '') continue;
    if (!columns) {
      columns = line.split(',');
      kind = 'argus';
      continue;
    }
    const values = kind === 'zeek' ? line.split('\t') : line.split(',');
    const at = (name: string) => values[columns?.indexOf(name) ?? -1] ?? '';
    if (kind === 'zeek') {
      flows.push({ src: at('id.orig_h'), dst: at('id.resp_h'), label: zeekClass(at('label')) });
    } else {
      flows.push({ src: at('SrcAddr'), dst: at('DstAddr'), label: argusClass(at('Label')) });
    }
  }
  return flows;
}

function zeekClass(label: string): LabelClass {
  if (/malicious/i.test(label)) return 'malicious';
  if (/benign/i.test(label)) return 'benign';
  return 'background';
}

function argusClass(label: string): LabelClass {
  if (/botnet/i.test(label)) return 'malicious';
  if (/normal/i.test(label)) return 'benign';
  return 'background';
}

/** Hosts that appear (either end) only in benign flows: flagging them is a false positive. */
export function benignOnlyHosts(flows: readonly LabelledFlow[]): Set<string> {
  const classes = new Map<string, Set<LabelClass>>();
  for (const f of flows) {
    for (const host of [f.src, f.dst]) {
      const seen = classes.get(host) ?? new Set<LabelClass>();
      seen.add(f.label);
      classes.set(host, seen);
    }
  }
  return new Set(
    [...classes].filter(([, seen]) => seen.size === 1 && seen.has('benign')).map(([host]) => host),
  );
}

/** Sources of malicious flows with at least `minFlows` of them, and their flow counts. */
export function maliciousSources(flows: readonly LabelledFlow[], minFlows: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of flows) if (f.label === 'malicious') counts.set(f.src, (counts.get(f.src) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n >= minFlows).sort((a, b) => b[1] - a[1]));
}
