import type { ConnectionColumnName } from '../connection.js';
import type { Direction, Severity } from '../finding.js';
import type { FlowColumnName } from '../flow.js';
import type { Dialect } from '../store/dialect.js';

/**
 * The detector contract. A detector is a rule card: metadata, documented parameters, a SQL feature
 * query over `fh_connections` (see engine/connections.ts) and a pure scoring step per feature row.
 * SQL computes features and never decides; scoring decides and explains.
 */

export type ParamValue = number | readonly number[];

export interface ParamSpec<T extends ParamValue = ParamValue> {
  readonly value: T;
  /** what the number counts: 'connections', 'ports', 'seconds', 'ratio 0-1', 'port list' … */
  readonly unit: string;
  /** why this default: what it separates, and where the figure comes from */
  readonly why: string;
}

export const param = <T extends ParamValue>(value: T, unit: string, why: string): ParamSpec<T> => ({
  value,
  unit,
  why,
});

type ValuesOf<S> = { [K in keyof S]: S[K] extends ParamSpec<infer T> ? T : never };

/** An optional field the detector uses, and what is lost when the logs lack it. */
export interface UsedField {
  readonly field: FlowColumnName;
  readonly without: string;
}

/**
 * The columns a card's queries (feature and coverage) read: of the connections, and of the flows for
 * a card that reads records itself (the windowed ones). A second engine, the docs' column table and
 * whoever changes a column go by this; test/cardReads.test.ts holds it to what the SQL reads.
 */
export interface ReadColumns {
  readonly connections: readonly ConnectionColumnName[];
  readonly flows: readonly FlowColumnName[];
}

export interface FeatureContext {
  readonly dialect: Dialect;
  /** SQL CASE naming the connection's direction (inbound/outbound/internal/external) */
  readonly direction: string;
}

/** What the engine needs to look up proof: records from client to server (and ports); at least one end. */
export interface EvidenceKey {
  client?: string;
  server?: string;
  serverPorts?: readonly number[];
  protocol?: number;
  /** with `server` alone: only clients inside (true) or outside (false) the monitored networks */
  clientInternal?: boolean;
  /**
   * an interface's own log records instead: its SKIPDATA and NODATA records, and, when it fell silent
   * at `silentFrom` (Unix seconds), its last flow records before that
   */
  interfaceLog?: { interfaceId: string; silentFrom?: number };
}

/**
 * Which connections' clients are the sources of a finding with many senders by nature (the sources
 * of a flood, the internet clients of an exposed service): connections to `server` during the
 * finding's span, narrowed by the conditions given. The engine lists every such client, busiest
 * first, and names the busiest as the finding's actor.
 */
export interface SourcesKey {
  server: string;
  serverPorts?: readonly number[];
  protocols?: readonly number[];
  /** only clients inside (true) or outside (false) the monitored networks */
  clientInternal?: boolean;
  /** only connections the server answered (false) or left unanswered (true: fh_connections.failed) */
  failed?: boolean;
  /**
   * only TCP connections whose client never sent data (true: at most 3 header-sized packets, a bare
   * SYN among them when flags are logged, as windowedTraffic's half_open) or did (false). A SYN
   * flood's sources are told by this, not by `failed`: a server that answers SYN-ACK (and gets a
   * RST back) did answer, yet the connection never carried a byte
   */
  halfOpen?: boolean;
  /** only clients with at least this many such connections in the span (a flood's sources, not its bystanders) */
  minConnections?: number;
}

/** The actor a detection with `sources` gives: the engine replaces it with the busiest source. */
export const BUSIEST_SOURCE = '';

/** A scored feature row, before the engine adds ids, evidence, allowlist and missing-field effects. */
export interface Detection {
  actor: string;
  target: string | null;
  targetCount: number;
  direction: Direction;
  severity: Severity;
  /** 0-1 before the engine's reduction for missing optional fields */
  confidence: number;
  firstSeen: number;
  lastSeen: number;
  count: number;
  explanation: string;
  subScores: Record<string, number>;
  metrics: Record<string, number | string>;
  evidence: EvidenceKey;
  /** a finding with many senders: who they are (its actor is then BUSIEST_SOURCE) */
  sources?: SourcesKey;
}

/**
 * Whether the data lets a card judge at all, beyond "a required field is missing". A detector that
 * needs history or a log field the flows table does not hold (log-status) stays silent without it;
 * silence must not read as "nothing found". The engine runs `feature` (one row) before the card's own
 * query and records `skipped` (the card is not run) or `note` (it runs, partly blind) on its
 * DetectorRun, which every output shows. Cards build one with defineCoverage (coverage.ts).
 */
export interface CoverageCheck<P extends Record<string, ParamValue>, Row> {
  feature(p: P, ctx: FeatureContext): string;
  judge(row: Row, p: P): { skipped: string } | { note: string } | undefined;
}

/**
 * How a scanner's port-coverage chart reads the ports its findings touched (outputs/findingChartData.ts):
 * `services` from the metrics `services` ("22/TCP …", answered when in `reachablePorts`), `sweep` from
 * the metrics `ports` with `unansweredPerPort` (and `portCount` as the total), `evidence` from the
 * evidence records (a sample, with the metrics' `ports` count as the total).
 */
export type PortChart = 'services' | 'sweep' | 'evidence';

export interface DetectorCard<S extends Record<string, ParamSpec>, Row> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly status: 'stable' | 'experimental';
  /** MITRE ATT&CK technique ids */
  readonly attack: readonly string[];
  readonly severity: Severity;
  /** columns without which the detector cannot run at all */
  readonly requires: readonly FlowColumnName[];
  readonly uses: readonly UsedField[];
  readonly reads: ReadColumns;
  readonly falsePositives: readonly string[];
  readonly references: readonly string[];
  /**
   * internet background noise: when many internet sources each draw this finding from the same target
   * and ports, the engine reports them as one finding listing every source (see engine/rollUp.ts)
   */
  readonly rollsUp?: boolean;
  /**
   * the AWS Security Finding Format type of its findings, from the documented taxonomy (namespace/
   * category, then a classifier of ours where the taxonomy defines none): see docs/outputs.md
   */
  readonly asffType: string;
  /** whether its findings get a port-coverage chart (the HTML report, the page), and how it is read */
  readonly portChart?: PortChart;
  readonly params: S;
  /** whether the data lets the card judge at all, checked before its feature query (see coverage.ts) */
  readonly coverage?: CoverageCheck<ValuesOf<S>, never>;
  feature(p: ValuesOf<S>, ctx: FeatureContext): string;
  score(row: Row, p: ValuesOf<S>): Detection | undefined;
}

/** A card with its parameter and row types erased, as the engine and catalogue hold it. */
export type Detector = DetectorCard<Record<string, ParamSpec>, Record<string, unknown>>;

/** Identity, for type inference: the card's params type flows into feature() and score(). */
export function defineDetector<S extends Record<string, ParamSpec>, Row>(
  card: DetectorCard<S, Row>,
): Detector {
  return card as unknown as Detector;
}

/** The default parameter values of a card. */
export function defaultParams(detector: Detector): Record<string, ParamValue> {
  return Object.fromEntries(Object.entries(detector.params).map(([name, spec]) => [name, spec.value]));
}
