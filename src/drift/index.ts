export { analyzeDrift } from "./analyze.js";
export { decideDrift, type MeasuredColumn } from "./decide.js";
export type { Histogram } from "./histogram.js";
export { type ColumnMeasurement, type ColumnMethod, isTestMethod, measureColumn } from "./measure.js";
export {
  type ColumnType,
  type Dimension,
  type DriftMethod,
  type DriftOptions,
  defaultDriftOptions,
  driftMethods,
} from "./options.js";
export {
  type ColumnTask,
  type DriftPlan,
  type DriftSelection,
  type ExcludedColumn,
  IDENTIFIER_MIN_VALUES,
  type InputColumn,
  type InputTable,
  measureTask,
  planDrift,
  planDriftRun,
  SortArena,
} from "./plan.js";
export {
  type CategoricalSample,
  type ColumnProfile,
  type ColumnSample,
  categoricalFromCodes,
  categoricalFromNumbers,
  type NumericProfile,
  type NumericSample,
  numericProfile,
  numericSample,
  PSI_BINS,
} from "./profile.js";
export type { DatasetInfo, DriftColumnReport, DriftFamily, DriftReport } from "./report.js";
export { atLeast, type Severity, severities, severityRank, worstSeverity } from "./severity.js";
