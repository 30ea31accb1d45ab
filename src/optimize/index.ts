/**
 * Pure optimization maths (issue #13): calibration (MinMax, percentile, entropy in TensorRT's and ONNX
 * Runtime's variants), scales and zero points, QuantizeLinear, fp32-vs-int8 agreement, magnitude and
 * structured pruning (MLPs found in ONNX graphs, rewritten with smaller initializers), MLP export,
 * k-fold validation statistics, latency summaries, acceptance and the weighted objective, and the
 * int8 QDQ graph transform. No I/O, no clock: typed arrays in, plain objects out. See docs/optimization.md.
 */
export { AbsHistogram, type AbsHistogramOptions } from "./abs-histogram.js";
export {
  type AcceptanceDecision,
  type AcceptanceEvidence,
  type AcceptanceRules,
  acceptCandidate,
  DEFAULT_ACCEPTANCE,
  type Rejection,
} from "./acceptance.js";
export {
  type AgreementLimits,
  agreementVerdict,
  compareOutputs,
  DEFAULT_AGREEMENT_LIMITS,
  type OutputAgreement,
} from "./agreement.js";
export type { Calibrator, TensorRange } from "./calibrator.js";
export { EntropyCalibrator, type EntropyDetails, type EntropyOptions } from "./entropy-calibrator.js";
export {
  type EntropyRange,
  type EntropySearch,
  type OnnxruntimeEntropyOptions,
  onnxruntimeEntropyRange,
  type TensorrtEntropyOptions,
  tensorrtEntropyThreshold,
} from "./entropy-threshold.js";
export { formatNumber } from "./format-number.js";
export { heldMetricDrop, sensitivityOrder } from "./fp32-fallback.js";
export { foldAccuracies, type KFoldOptions, kFold, meanStd, stratifiedKFold } from "./k-fold.js";
export { type LatencySummary, summarizeLatency } from "./latency-summary.js";
export { applyMask, globalMagnitudeMasks, magnitudeMask, pruneCount } from "./magnitude-pruning.js";
export { MinMaxCalibrator, type MinMaxOptions } from "./minmax-calibrator.js";
export { exportMlp, type MlpExportOptions, type MlpFrame, mlpFrame } from "./mlp-export.js";
export {
  extractMlp,
  type MlpExtraction,
  type MlpGraph,
  type MlpGraphLayer,
  writeMlpWeights,
} from "./mlp-graph.js";
export { magnitudePruneMlp, type PruneScope } from "./mlp-magnitude-prune.js";
export {
  DEFAULT_OBJECTIVE,
  type Objective,
  type ObjectiveInputs,
  type ObjectiveScore,
  objectiveScore,
  type RankedCandidate,
  rankCandidates,
} from "./objective.js";
export {
  dropInterval,
  type McNemar,
  mcnemarExact,
  type PairedDrop,
  pairedAccuracyDrop,
} from "./paired-drop.js";
export { cumulativeIndex, PercentileCalibrator, type PercentileOptions } from "./percentile-calibrator.js";
export {
  describeQdqFormat,
  formatRange,
  planQdq,
  QDQ_OP_TYPES,
  type QdqActivation,
  type QdqFormat,
  type QdqOptions,
  type QdqPlan,
  type QdqResult,
  type QdqTarget,
  qdqNodeKey,
  quantizeQdq,
  weightRange,
} from "./qdq.js";
export {
  axisLayout,
  type ChannelParams,
  computeScaleZeroPoint,
  type IntRange,
  perChannelParams,
  type QuantType,
  quantizationParams,
  quantRange,
  type RangeOptions,
  roundHalfToEven,
  type ScaleZeroPoint,
} from "./quant-params.js";
export {
  dequantizeLinear,
  fakeQuantize,
  type LinearQuantization,
  quantizeLinear,
  saturationBounds,
} from "./quantize-linear.js";
export { type SparseSizes, sparseSizes } from "./sparse-size.js";
export {
  type HiddenUnitPruning,
  pruneHiddenUnits,
  type StructuredPruneOutcome,
  structuredPruneModel,
} from "./structured-prune.js";
export {
  keepHiddenUnits,
  keptUnits,
  type NeuronRankOptions,
  neuronScores,
  selectColumns,
  selectRows,
} from "./structured-pruning.js";
export { studentTCdf, studentTQuantile } from "./student-t.js";
export { SymmetricHistogram, type SymmetricHistogramOptions } from "./symmetric-histogram.js";
