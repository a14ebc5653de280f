import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Finding, SEVERITIES } from '../finding.js';
import { FLOW_COLUMNS } from '../flow.js';
import { asffFinding } from '../outputs/asff.js';
import { renderCatalogueMarkdown } from '../outputs/catalogue.js';
import { DETECTORS } from './index.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const columns = new Set(FLOW_COLUMNS.map((c) => c.name));

/** Every detector card file under src/detectors/<group>/ (not tests). */
function cardFiles(): string[] {
  return readdirSync(HERE, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(HERE, dir.name))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => join(dir.name, f)),
    );
}

const sample: Finding = {
  id: '0',
  detector: '',
  title: 't',
  severity: 'low',
  confidence: 1,
  actor: '10.0.0.1',
  target: null,
  targetCount: 0,
  direction: 'internal',
  attack: [],
  firstSeen: 0,
  lastSeen: 0,
  count: 1,
  explanation: '',
  subScores: {},
  metrics: {},
  limitations: [],
  evidence: [],
};

describe('detector catalogue', () => {
  it('registers every card file, once, under the id its file is named after', () => {
    const ids = DETECTORS.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      cardFiles()
        .map((f) => basename(f, '.ts'))
        .sort(),
    ).toEqual([...ids].sort());
  });

  it.each(DETECTORS.map((d) => [d.id, d] as const))('%s has complete metadata', (_, d) => {
    expect(d.id).toMatch(/^[a-z][a-z0-9]*$/);
    expect(d.title.length).toBeGreaterThan(5);
    expect(d.description.length).toBeGreaterThan(20);
    expect(d.attack.length).toBeGreaterThan(0);
    for (const technique of d.attack) expect(technique).toMatch(/^T\d{4}(\.\d{3})?$/);
    expect(SEVERITIES).toContain(d.severity);
    for (const field of [...d.requires, ...d.uses.map((u) => u.field)]) expect(columns).toContain(field);
    expect(d.falsePositives.length).toBeGreaterThan(0);
    expect(d.references.length).toBeGreaterThan(0);
    for (const [name, spec] of Object.entries(d.params)) {
      expect(name).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(spec.unit, `${d.id}.${name} unit`).not.toBe('');
      expect(spec.why.length, `${d.id}.${name} reason`).toBeGreaterThan(15);
    }
  });

  it.each(DETECTORS.map((d) => [d.id] as const))('%s has its own ASFF finding type', (id) => {
    const f = { ...sample, detector: id };
    expect(asffFinding(f, { version: '0', generatedAt: '2026-01-01T00:00:00Z' }).Types[0]).not.toBe(
      'Unusual Behaviors/Network Flow',
    );
  });

  it('docs/detectors.md is the catalogue as the cards state it (regenerate: flowhawk detectors --markdown)', () => {
    const doc = readFileSync(new URL('../../docs/detectors.md', import.meta.url), 'utf8');
    expect(doc).toBe(renderCatalogueMarkdown(DETECTORS));
  });
});
