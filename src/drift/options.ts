import type { KsMode } from "../stats/ks.js";
import type { Correction } from "../stats/multiple-testing.js";

/**
 * How columns are compared. `auto` is the default decision (effect-size-gated significance): KS plus
 * normalised Wasserstein for numeric columns, chi-square plus Jensen–Shannon for categorical ones.
 * A single method applies to every column; where it cannot apply to a column's type the nearest
 * method of the same kind is used and named in the report (KS → chi-square and Wasserstein →
 * Jensen–Shannon for categorical columns; chi-square and Jensen–Shannon bin numeric columns at the
 * reference's deciles, like PSI).
 */
export type DriftMethod = "auto" | "ks" | "wasserstein" | "psi" | "chisquare" | "jensenshannon";

/** The drift methods, in the order the CLI lists them. */
export const driftMethods: readonly DriftMethod[] = [
  "auto",
  "ks",
  "wasserstein",
  "psi",
  "chisquare",
  "jensenshannon",
];

/** Where a column sits in the seed's `dimensions: ['feature', 'prediction', 'target']`. */
export type Dimension = "feature" | "prediction" | "target";

/** Column types: numeric columns are compared as distributions, categorical ones as frequencies. */
export type ColumnType = "numeric" | "categorical";

/** Every knob of a drift comparison; {@link defaultDriftOptions} holds the seed's defaults. */
export interface DriftOptions {
  readonly method: DriftMethod;
  /** Family-wise significance level before correction (seed: 0.05). */
  readonly alpha: number;
  /** Multiple-testing correction over the features (seed: Bonferroni). */
  readonly correction: Correction;
  /** How KS p-values are computed; `auto` is scipy's rule (exact up to 10,000 values per side). */
  readonly ksMode: KsMode;
  /** Normalised Wasserstein at or above which a numeric column is critical (seed: 0.1). */
  readonly wassersteinThreshold: number;
  /** Jensen–Shannon distance (natural log) at or above which a categorical column is critical. */
  readonly jensenShannonThreshold: number;
  /** PSI at or above which a column is a warning (0.1) … */
  readonly psiWarning: number;
  /** … and critical (0.25). */
  readonly psiCritical: number;
  /** The dataset is an emergency when more than this share of the features is critical (0.5). */
  readonly emergencyShare: number;
  /**
   * A numeric column whose reference holds at most this many distinct values is treated as
   * categorical (Evidently's rule, 5), unless its type is given.
   */
  readonly categoricalMaxDistinct: number;
}

/**
 * The seed's defaults: KS at α = 0.05 with Bonferroni, Wasserstein 0.1 normalised.
 *
 * @example
 * ```ts
 * const options: DriftOptions = { ...defaultDriftOptions, correction: "holm" };
 * ```
 */
export const defaultDriftOptions: DriftOptions = {
  method: "auto",
  alpha: 0.05,
  correction: "bonferroni",
  ksMode: "auto",
  wassersteinThreshold: 0.1,
  jensenShannonThreshold: 0.1,
  psiWarning: 0.1,
  psiCritical: 0.25,
  emergencyShare: 0.5,
  categoricalMaxDistinct: 5,
};
