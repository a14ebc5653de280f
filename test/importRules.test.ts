import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import graph against docs/architecture.md: no file imports itself back through others (a circle),
 * and every import in src/ goes where the doc's rule table lets it. The table is read from the doc
 * itself, so the doc and the test cannot drift apart.
 *
 * Imports are read with a plain pattern, not the compiler: static `import … from '…'`, `export … from
 * '…'`, side-effect `import '…'` and `import('…')` with a literal path. Only relative paths are this
 * tree's files; packages (`node:fs`, `ipaddr.js`) are not part of the graph. A type-only import counts
 * like any other: the type ties the importer to the file that defines it as surely as a value does.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = join(ROOT, 'docs', 'architecture.md');

/**
 * Circles known and being removed, each as its files sorted (paths from the repository root). An entry
 * must still be a circle: once it is gone, take it off, so that it cannot come back unnoticed.
 */
const KNOWN_CIRCLES: readonly (readonly string[])[] = [];

/** Imports that break the rule table, known and being removed, as `from -> to` (paths from src/). Same. */
const KNOWN_BREAKS: readonly string[] = [];

/** Where circles are looked for: the program and everything around it but the tests. */
const CIRCLE_ROOTS = ['src', 'bench', 'eval', 'scripts', 'web'];

const IMPORT_PATTERNS = [
  // import x from, import { a, b } from, import * as m from, import x, { a } from, import type …, export … from
  /^[ \t]*(?:import|export)\s+(?:type\s+)?(?:[\w$]+\s*,\s*)?(?:\{[^}]*\}|\*(?:\s+as\s+[\w$]+)?|[\w$]+)\s+from\s+['"]([^'"\n]+)['"]/gm,
  /^[ \t]*import\s+['"]([^'"\n]+)['"]/gm,
  /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g,
];

/** Every .ts file under `dir` (a path from the root) but tests and declarations, as paths from the root. */
function sourceFiles(dir: string): string[] {
  const full = join(ROOT, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { withFileTypes: true })
    .flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
      const source = entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts');
      return source && !entry.name.endsWith('.test.ts') ? [path] : [];
    })
    .sort();
}

interface Imports {
  /** file → the files of this tree it imports (paths from the root) */
  edges: Map<string, string[]>;
  /** relative imports that name no file: `file: 'spec'` */
  unresolved: string[];
}

/** The file a relative import names (a .ts file, from the root), null for a non-TS file, undefined for none. */
function resolveImport(file: string, spec: string): string | null | undefined {
  const target = resolve(ROOT, dirname(file), spec);
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, join(target, 'index.ts')];
  const found = candidates.find((path) => existsSync(path) && statSync(path).isFile());
  if (found) return relative(ROOT, found).split(sep).join('/');
  return existsSync(target) ? null : undefined;
}

function readImports(files: readonly string[]): Imports {
  const edges = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const specs = IMPORT_PATTERNS.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1] ?? ''));
    const targets = new Set<string>();
    for (const spec of specs.filter((s) => s.startsWith('.'))) {
      const target = resolveImport(file, spec);
      if (target === undefined) unresolved.push(`${file}: '${spec}'`);
      else if (target !== null) targets.add(target);
    }
    edges.set(file, [...targets].sort());
  }
  return { edges, unresolved };
}

/** The circles of a graph: its strongly connected components of two files or more, or one importing itself. */
function circles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue; // a test file or a helper: not part of the graph
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || edges.get(node)?.includes(node)) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return found.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** One row of the rule table: a floor, the parts on it (`cli/`, `scan.ts`) and what they may import. */
interface Rule {
  floor: number;
  parts: string[];
  mayImport: string[];
}

/** The rule table of docs/architecture.md: the table between `<!-- import-rules -->` and `<!-- /import-rules -->`. */
function readRules(doc: string): Rule[] {
  const block = /<!-- import-rules -->([\s\S]*?)<!-- \/import-rules -->/.exec(doc)?.[1];
  if (block === undefined) throw new Error('docs/architecture.md has no <!-- import-rules --> table');
  const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
  return block
    .split('\n')
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const [floor = '', parts = '', mayImport = ''] = line.split('|').slice(1);
      return { floor: Number(floor.trim()), parts: names(parts), mayImport: names(mayImport) };
    });
}

/** The part of src/ a file belongs to: its folder under src/ (`engine/`), or the file itself (`flow.ts`). */
function partOf(file: string): string {
  const [first = '', ...rest] = file.replace(/^src\//, '').split('/');
  return rest.length > 0 ? `${first}/` : first;
}

/** The rule table's breaches among `edges`, as `from -> to (why)`, paths from src/. */
function breaches(edges: ReadonlyMap<string, readonly string[]>, rules: readonly Rule[]): string[] {
  const floorOf = new Map(rules.flatMap((rule) => rule.parts.map((part) => [part, rule.floor] as const)));
  const allowed = new Map(rules.flatMap((rule) => rule.parts.map((part) => [part, rule.mayImport] as const)));
  const found: string[] = [];
  for (const [file, targets] of edges) {
    if (!file.startsWith('src/')) continue;
    const from = partOf(file);
    for (const target of targets) {
      const name = `${file.slice(4)} -> ${target.startsWith('src/') ? target.slice(4) : `../${target}`}`;
      if (!target.startsWith('src/')) {
        found.push(`${name} (src/ imports nothing outside it)`);
        continue;
      }
      const to = partOf(target);
      if (to === from || floorOf.get(to) === 0) continue;
      if (!allowed.get(from)?.includes(to)) found.push(`${name} (${from} may not import ${to})`);
    }
  }
  return found;
}

describe('the import graph (docs/architecture.md)', () => {
  const files = CIRCLE_ROOTS.flatMap(sourceFiles);
  const { edges, unresolved } = readImports(files);
  const rules = readRules(readFileSync(DOC, 'utf8'));

  it('reads every import it finds', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(unresolved).toEqual([]);
  });

  it('has no circles', () => {
    const found = circles(edges).map((c) => c.join(' <-> '));
    const known = KNOWN_CIRCLES.map((c) => [...c].sort().join(' <-> '));
    expect(
      found.filter((c) => !known.includes(c)),
      'import circles (break each by moving what both sides share to the file that owns it)',
    ).toEqual([]);
    expect(
      known.filter((c) => !found.includes(c)),
      'KNOWN_CIRCLES that are gone: take them off',
    ).toEqual([]);
  });

  it('has a rule table whose rules run down the floors, one row for every part of src/', () => {
    expect(rules.length).toBeGreaterThan(5);
    const floorOf = new Map(rules.flatMap((rule) => rule.parts.map((part) => [part, rule.floor] as const)));
    const problems: string[] = [];
    for (const rule of rules)
      for (const to of rule.mayImport) {
        const floor = floorOf.get(to);
        if (floor === undefined) problems.push(`${rule.parts.join(' ')} may import ${to}, which has no row`);
        else if (floor >= rule.floor)
          problems.push(`${rule.parts.join(' ')} (floor ${rule.floor}) may import ${to} (floor ${floor})`);
      }
    const parts = new Set(files.filter((f) => f.startsWith('src/')).map(partOf));
    for (const part of parts)
      if (!floorOf.has(part)) problems.push(`src/${part} is in no row: give it a floor`);
    for (const part of floorOf.keys()) if (!parts.has(part)) problems.push(`${part} has a row but no file`);
    expect(problems, 'the rule table of docs/architecture.md').toEqual([]);
  });

  it('imports in src/ only what the rule table allows', () => {
    const found = breaches(edges, rules);
    expect(
      found.filter((b) => !KNOWN_BREAKS.some((known) => b.startsWith(`${known} (`))),
      'imports that break the rules of docs/architecture.md',
    ).toEqual([]);
    expect(
      KNOWN_BREAKS.filter((known) => !found.some((b) => b.startsWith(`${known} (`))),
      'KNOWN_BREAKS that are gone: take them off',
    ).toEqual([]);
  });

  it('catches a circle and a breach (the checks themselves)', () => {
    const graph = new Map([
      ['src/engine/a.ts', ['src/detectors/b.ts', 'src/flow.ts']],
      ['src/detectors/b.ts', ['src/engine/a.ts']],
      ['src/flow.ts', []],
    ]);
    expect(circles(graph)).toEqual([['src/detectors/b.ts', 'src/engine/a.ts']]);
    expect(breaches(graph, rules)).toEqual([
      'detectors/b.ts -> engine/a.ts (detectors/ may not import engine/)',
    ]);
  });
});
