import type { FeatureContext, ParamValue } from './define.js';

/**
 * Whether the data lets a card judge at all, beyond "a required field is missing". A detector that
 * needs history or a log field the flows table does not hold (log-status) stays silent without it;
 * silence must not read as "nothing found". The engine runs `feature` (one row) before the card's own
 * query and records `skipped` (the card is not run) or `note` (it runs, partly blind) on its
 * DetectorRun, which every output shows.
 */
export interface CoverageCheck<P extends Record<string, ParamValue>, Row> {
  feature(p: P, ctx: FeatureContext): string;
  judge(row: Row, p: P): { skipped: string } | { note: string } | undefined;
}

/** Identity, for type inference (as defineDetector). */
export const defineCoverage = <P extends Record<string, ParamValue>, Row>(
  check: CoverageCheck<P, Row>,
): CoverageCheck<P, Row> => check;
