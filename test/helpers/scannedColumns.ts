import type { AnalysisStore } from '../../src/store/store.js';

/** The columns of each table a query reads, as DuckDB's plan says (projections and pushed-down filters). */
export type ScannedColumns = Map<string, Set<string>>;

interface PlanNode {
  name?: string;
  extra_info?: { Table?: string; Projections?: string | string[]; Filters?: string | string[] };
  children?: PlanNode[];
}

/**
 * What `sql` reads of `tables` (name → its columns), from the physical plan of EXPLAIN. The plan is
 * bound, so a CTE's or a subquery's alias that shares a column's name is not mistaken for it, as a
 * search of the SQL text would. Statistics propagation is switched off for the EXPLAIN: on the few
 * rows of a test it proves branches empty and prunes their scans, hiding columns they read.
 */
export async function scannedColumns(
  store: AnalysisStore,
  sql: string,
  tables: ReadonlyMap<string, readonly string[]>,
): Promise<ScannedColumns> {
  await store.run("SET disabled_optimizers = 'statistics_propagation,empty_result_pullup'");
  try {
    const [row] = await store.query<{ explain_value: string }>(`EXPLAIN (FORMAT JSON) ${sql}`);
    const found: ScannedColumns = new Map();
    const visit = (node: PlanNode) => {
      const table = node.extra_info?.Table?.split('.').pop();
      const columns = table === undefined ? undefined : tables.get(table);
      if (table !== undefined && columns) {
        const seen = found.get(table) ?? new Set<string>();
        found.set(table, seen);
        const text = [node.extra_info?.Projections ?? [], node.extra_info?.Filters ?? []]
          .flat()
          .join(' ')
          .replace(/'(?:[^']|'')*'/g, ' ');
        for (const word of text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
          if (columns.includes(word)) seen.add(word);
        }
      }
      for (const child of node.children ?? []) visit(child);
    };
    for (const root of JSON.parse(row?.explain_value ?? '[]') as PlanNode[]) visit(root);
    return found;
  } finally {
    await store.run("SET disabled_optimizers = ''");
  }
}
