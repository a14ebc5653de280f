import { param } from './define.js';

/**
 * Threshold Random Walk (Jung, Paxson, Berger, Balakrishnan, "Fast Portscan Detection Using Sequential
 * Hypothesis Testing", IEEE S&P 2004), the test behind SiLK's rwscan.
 *
 * A benign host's first contacts mostly succeed (probability θ0), a scanner's mostly fail (θ1). Each
 * first contact multiplies the likelihood ratio Λ by θ1/θ0 on success or (1-θ1)/(1-θ0) on failure;
 * Λ ≥ η1 = β/α decides "scanner", Λ ≤ η0 = (1-β)/(1-α) decides "benign". Unlike the paper's single
 * decision, the walk restarts after a benign decision, so a host that behaves for a while and then
 * starts scanning is still caught; "scanner" is final.
 */
export interface TrwParams {
  /** P(first contact succeeds | benign) */
  theta0: number;
  /** P(first contact succeeds | scanner) */
  theta1: number;
  /** tolerated false-positive probability */
  alpha: number;
  /** required detection probability */
  beta: number;
}

export const TRW_DEFAULTS: TrwParams = { theta0: 0.8, theta1: 0.2, alpha: 0.01, beta: 0.99 };

export interface TrwResult {
  scanner: boolean;
  /** first contacts consumed when the walk decided "scanner" (all of them otherwise) */
  steps: number;
  /** the largest Λ reached */
  peakRatio: number;
  /** η1, the ratio that decides "scanner" */
  upper: number;
}

/** Runs the walk over first-contact outcomes in time order (true = failed). */
export function thresholdRandomWalk(failures: Iterable<boolean>, p: TrwParams = TRW_DEFAULTS): TrwResult {
  const upper = p.beta / p.alpha;
  const lower = (1 - p.beta) / (1 - p.alpha);
  const onSuccess = p.theta1 / p.theta0;
  const onFailure = (1 - p.theta1) / (1 - p.theta0);
  let ratio = 1;
  let peakRatio = 1;
  let steps = 0;
  for (const failed of failures) {
    steps++;
    ratio *= failed ? onFailure : onSuccess;
    peakRatio = Math.max(peakRatio, ratio);
    if (ratio >= upper) return { scanner: true, steps, peakRatio, upper };
    if (ratio <= lower) ratio = 1;
  }
  return { scanner: false, steps, peakRatio, upper };
}

/** 0-1: how far the walk got towards the scanner threshold, on a log scale. */
export function trwScore(result: TrwResult): number {
  if (result.peakRatio <= 1) return 0;
  return Math.min(1, Math.log(result.peakRatio) / Math.log(result.upper));
}

/** The walk's parameters as a detector card declares them, spread into its `params`. */
export const TRW_PARAMS = {
  theta0: param(
    TRW_DEFAULTS.theta0,
    'probability',
    'TRW: share of first contacts a benign host gets answered',
  ),
  theta1: param(TRW_DEFAULTS.theta1, 'probability', 'TRW: share of first contacts a scanner gets answered'),
  alpha: param(TRW_DEFAULTS.alpha, 'probability', 'TRW: tolerated false-positive rate'),
  beta: param(TRW_DEFAULTS.beta, 'probability', 'TRW: required detection rate'),
};
