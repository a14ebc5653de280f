import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { syntheticFinding, syntheticReport } from '../../test/helpers/manyFindings.js';
import { protocolName as pageProtocolName } from '../../web/format.js';
import { DETECTORS } from '../detectors/index.js';
import type { EvidenceRecord } from '../finding.js';
import type { OutputDefinition } from './defineOutput.js';
import { OUTPUTS } from './formats.js';
import { renderFindingsHtml } from './html/index.js';
import { piecesText } from './writePieces.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The modules an output can live in: src/outputs/*.ts and the html folder's index (not tests). */
const MODULES = [
  ...readdirSync(HERE)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => `./${f.replace(/\.ts$/, '.js')}`),
  './html/index.js',
];

const isDefinition = (v: unknown): v is OutputDefinition =>
  typeof v === 'object' && v !== null && 'id' in v && 'render' in v && typeof v.render === 'function';

/** A renderer: a generator function named render… (text helpers such as renderIngestSummary return strings). */
const isRenderer = (name: string, v: unknown) =>
  name.startsWith('render') && typeof v === 'function' && v.constructor.name === 'GeneratorFunction';

describe('the output registry (formats.ts)', () => {
  it.each(OUTPUTS.map((o) => [o.id, o] as const))('%s has a complete card', (_, o) => {
    expect(o.id).toMatch(/^[a-z][a-z0-9]*$/);
    expect(o.describe.length).toBeGreaterThan(10);
    expect(o.describe).not.toMatch(/\n/);
    expect(o.contentType).toMatch(/^[a-z]+\/[a-z0-9.+-]+(; charset=utf-8)?$/);
    expect(o.extension).toMatch(/^[a-z0-9]+(\.[a-z0-9]+)*$/);
    expect(typeof o.render).toBe('function');
  });

  it('is the list of downloads docs/web.md gives', () => {
    const doc = readFileSync(new URL('../../docs/web.md', import.meta.url), 'utf8');
    const row =
      /^\| `GET \/api\/jobs\/\{id\}\/report\?format=html` \| the report as a download: (.+) \|$/m.exec(doc);
    expect(row?.[1]?.split(', ').sort()).toEqual(OUTPUTS.map((o) => o.id).sort());
  });

  it('has each id once', () => {
    const ids = OUTPUTS.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('registers every module that exports a renderer, by the definition that module exports', async () => {
    const unregistered: string[] = [];
    let renderers = 0;
    for (const path of MODULES) {
      const module: Record<string, unknown> = await import(path);
      const exported = Object.entries(module);
      if (!exported.some(([name, v]) => isRenderer(name, v))) continue;
      renderers++;
      const definitions = exported.map(([, v]) => v).filter(isDefinition);
      if (definitions.length === 0 || !definitions.every((d) => OUTPUTS.includes(d))) unregistered.push(path);
    }
    expect(unregistered, 'export a defineOutput from the module and list it in OUTPUTS').toEqual([]);
    expect(renderers).toBe(OUTPUTS.length);
  });
});

describe('per-detector output facts', () => {
  it('every card names an ASFF type of the taxonomy: namespace/category[/classifier]', () => {
    for (const d of DETECTORS) expect(d.asffType, d.id).toMatch(/^[A-Z][A-Za-z ]+(\/[A-Za-z0-9 &-]+){1,2}$/);
  });
});

describe('protocol names', () => {
  const PROTOCOLS = [6, 17, 1, 47, 58, 132, 253];

  it('the page and the HTML report name a protocol alike, a number without a name as the number', () => {
    const base = syntheticFinding(1, 1);
    const template = base.evidence[0] as EvidenceRecord;
    const finding = {
      ...base,
      evidence: PROTOCOLS.map((protocol, i) => ({ ...template, line: i + 1, protocol })),
    };
    const report = syntheticReport(1);
    const text = piecesText(
      renderFindingsHtml({ ...report, analysis: { ...report.analysis, findings: [finding] } }),
    );
    const cells = [...parseHTML(text).document.querySelectorAll('tr.evidence-row')].map(
      (row) => row.querySelectorAll('td')[4]?.textContent,
    );
    expect(cells).toEqual(PROTOCOLS.map((p) => pageProtocolName(p)));
    expect(cells).toEqual(['TCP', 'UDP', 'ICMP', 'GRE', 'ICMPv6', 'SCTP', '253']);
  });
});
