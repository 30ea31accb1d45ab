import type { Correction } from "../stats/multiple-testing.js";
import type { Histogram } from "./histogram.js";
import type { ColumnMeasurement, ColumnMethod } from "./measure.js";
import type { ColumnType, Dimension, DriftMethod } from "./options.js";
import type { ExcludedColumn } from "./plan.js";
import type { Severity } from "./severity.js";

/**
 * One column of a drift report. Field names are the JSON contract of `tiktoktoe drift --format json`
 * and of the server's drift endpoint (snake_case, documented in docs/drift.md); other tools rely on
 * them, so they only ever gain fields.
 */
export interface DriftColumnReport extends ColumnExtra {
  readonly column: string;
  readonly type: ColumnType;
  readonly dimension: Dimension;
  /** The primary method: the test in auto mode. */
  readonly method: ColumnMethod;
  /** KS D, chi-square χ², or the distance (normalised for Wasserstein). */
  readonly statistic: number;
  readonly p_value: number | null;
  /** The p-value adjusted for the column's family (compare with alpha); null for a distance. */
  readonly p_adjusted: number | null;
  /** The corrected α of the column's family for a test; the (critical) distance threshold for a distance. */
  readonly threshold: number;
  /** PSI only: the warning threshold. */
  readonly warning_threshold?: number;
  /** Size m of the column's test family (0 for a distance). */
  readonly tests: number;
  readonly effect_size?: number;
  readonly effect_size_method?: "wasserstein" | "jensenshannon";
  readonly effect_size_threshold?: number;
  /** Severity critical or worse. */
  readonly drifted: boolean;
  readonly severity: Severity;
  readonly n_reference: number;
  readonly n_current: number;
  readonly missing_reference: number;
  readonly missing_current: number;
  readonly histogram: Histogram;
}

type ColumnExtra = ColumnMeasurement["extra"];

/** One test family (features, prediction, target): its size and effective threshold. */
export interface DriftFamily {
  readonly tests: number;
  readonly threshold: number;
}

/** A whole drift report: the JSON contract of `tiktoktoe drift`. */
export interface DriftReport {
  readonly method: DriftMethod;
  readonly columns: DriftColumnReport[];
  /** m: the number of feature columns tested together. */
  readonly tests: number;
  readonly correction: Correction;
  readonly alpha: number;
  readonly families: Readonly<Record<Dimension, DriftFamily>>;
  /** Columns (any dimension) with severity critical or worse. */
  readonly drifted_columns: number;
  /** Share of the feature columns that drifted. */
  readonly share: number;
  /** Dataset severity critical or worse. */
  readonly dataset_drift: boolean;
  readonly severity: Severity;
  readonly thresholds: {
    readonly wasserstein: number;
    readonly jensenshannon: number;
    readonly psi_warning: number;
    readonly psi_critical: number;
    readonly emergency_share: number;
  };
  /**
   * Columns left out of every test and of the correction, with the reason: named in `exclude`, or
   * detected as an identifier (all values distinct, a row number). Absent in reports stored before
   * it existed.
   */
  readonly excluded?: readonly ExcludedColumn[];
  readonly reference?: DatasetInfo;
  readonly current?: DatasetInfo;
}

/** Where a side of the comparison came from. */
export interface DatasetInfo {
  readonly source: string;
  readonly rows: number;
}
