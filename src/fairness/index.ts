/**
 * Group fairness as mergeable streaming accumulators, one per model and window: per sensitive attribute
 * and group, confusion counts (binary), a confusion matrix (multiclass) or moments (regression), never
 * rows; reports with Fairlearn's and AIF360's metrics and a confidence interval on each. Pure (no I/O,
 * no clock); checked against scikit-learn 1.2.1, statsmodels 0.13.5 and scipy 1.10.1
 * (golden/fairness_sklearn.json.gz). Definitions and choices: docs/fairness.md.
 */
export {
  type GroupAccumulatorOptions,
  GroupConfusionAccumulator,
  type GroupConfusionJson,
  type GroupCounts,
} from "./group-confusion.js";
export { type AttributeGroups, DEFAULT_MAX_GROUPS, type SensitiveGroups } from "./group-table.js";
export {
  type Interval,
  katzLogInterval,
  meanInterval,
  newcombeInterval,
  type RatioInterval,
  type SampleSummary,
  type WelchInterval,
  welchInterval,
  wilsonInterval,
} from "./intervals.js";
export {
  GroupMulticlassAccumulator,
  type GroupMulticlassJson,
  type GroupMulticlassOptions,
  type MulticlassAttributeFairness,
  type MulticlassFairnessReport,
  type MulticlassGroupState,
  multiclassFairnessReport,
  oneVsRestCounts,
  type WorstClass,
} from "./multiclass.js";
export { criticalValue, normalQuantile } from "./normal-quantile.js";
export {
  GroupRegressionAccumulator,
  type GroupRegressionJson,
  type MeanDifference,
  type MeanEstimate,
  type Moments,
  type RegressionAttributeFairness,
  type RegressionFairnessReport,
  type RegressionGroupFairness,
  type RegressionGroupState,
  regressionFairnessReport,
} from "./regression.js";
export {
  type AttributeFairness,
  type EqualizedOddsDifference,
  type FairnessOptions,
  type FairnessReport,
  fairnessReport,
  type GroupComparison,
  type GroupFairness,
  type ImpactRatio,
  type IntervalMethod,
  type RateEstimate,
} from "./report.js";
export { studentTCdf, studentTQuantile } from "./student-t.js";
