/**
 * Model-quality metrics as mergeable streaming accumulators, one per model and event-time window: pure
 * (no I/O, no clock), bounded in memory, serialisable to versioned JSON, and checked against
 * scikit-learn 1.2.1 (golden/metrics_sklearn.json.gz).
 */
export {
  BinaryClassificationAccumulator,
  type BinaryClassificationJson,
  type BinaryClassificationOptions,
  type BinaryClassificationResult,
} from "./binary-classification.js";
export {
  CBPE_BAND_SIGMAS,
  CbpeAccumulator,
  type CbpeAutoCalibration,
  type CbpeCalibrationOptions,
  type CbpeEstimate,
  type CbpeJson,
  type CbpeOptions,
  type CbpeResult,
  expectedCalibrationError,
  fitCbpeCalibrator,
  type NeedsCalibrationOptions,
  needsCalibration,
} from "./cbpe.js";
export { type ClassificationResult, type LabelCoverage, labelCoverage } from "./classification-result.js";
export { CompensatedSum } from "./compensated-sum.js";
export {
  type AveragedMetrics,
  type ClassMetrics,
  ConfusionCounts,
  type ConfusionMetrics,
  precisionRecallF1,
} from "./confusion-matrix.js";
export { type IsotonicJson, type IsotonicOptions, IsotonicRegression, pav } from "./isotonic.js";
export { type ClassLabel, compareLabels } from "./labels.js";
export { binaryLogLoss, LOG_LOSS_EPS, multiclassLogLoss } from "./log-loss.js";
export {
  MulticlassClassificationAccumulator,
  type MulticlassClassificationJson,
  type MulticlassClassificationOptions,
} from "./multiclass-classification.js";
export {
  MAPE_EPS,
  RegressionAccumulator,
  type RegressionJson,
  type RegressionResult,
} from "./regression.js";
export {
  ROC_AUC_BINS,
  ROC_AUC_EXACT_LIMIT,
  RocAucAccumulator,
  type RocAucJson,
  type RocAucOptions,
  type RocAucResult,
} from "./roc-auc.js";
