import type { CoverageCheck, ParamValue } from './define.js';

/** Identity, for type inference (as defineDetector): the check's shape is CoverageCheck in define.ts. */
export const defineCoverage = <P extends Record<string, ParamValue>, Row>(
  check: CoverageCheck<P, Row>,
): CoverageCheck<P, Row> => check;

export type { CoverageCheck } from './define.js';
