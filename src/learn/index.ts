/**
 * Continuous learning's pure core (issue #15): incremental linear, logistic and softmax models with
 * FTRL-Proximal, AdaGrad and SGD under an elastic-net penalty (all state in the model), prequential
 * evaluation with delayed labels beside naive baselines, data validation against a schema inferred
 * from a reference, importance weights for covariate shift, ONNX export, and fine-tuning a deployed ONNX MLP. No I/O, no clock.
 * See docs/learning.md.
 */

export {
  type DensityRatioOptions,
  type ImportanceWeights,
  importanceWeights,
} from "./density-ratio.js";
export {
  type Cell,
  type EncoderJson,
  FeatureEncoder,
  type FeatureSpec,
  fnv1a,
  type Row,
} from "./features.js";
export {
  DEFAULT_EVALUATION_MS,
  DEFAULT_GATE_OPTIONS,
  DEFAULT_WARM_UP_MS,
  decidePromotion,
  type EventRange,
  type GateAttributeCheck,
  type GateDecision,
  type GateFairnessMetric,
  type GateGroupMetric,
  type GateInput,
  type GateModel,
  type GateOptions,
  type GateReason,
  type GateReasonCode,
  type GateTask,
  gatePeriods,
  MCNEMAR_EXACT_BELOW,
  type McNemarResult,
  mcnemar,
  type PairedTResult,
  pairedT,
} from "./gate.js";
export {
  type EncodedBatch,
  type LearnTask,
  type LinearModelJson,
  type LinearModelOptions,
  type LinearWeights,
  learnTasks,
  OnlineLinearModel,
} from "./linear-model.js";
export {
  DEFAULT_MLP_FINE_TUNE,
  exportOnnxMlp,
  fineTuneOnnxMlp,
  type MlpFineTuneOptions,
  type MlpFineTuneResult,
  type NormalisationStep,
  type OnnxMlp,
  type OnnxMlpHead,
  predictOnnxMlp,
  readOnnxMlp,
} from "./mlp-finetune.js";
export { exportLinearModel, linearInputColumns } from "./onnx-export.js";
export {
  type AdaGradSettings,
  DEFAULT_ADAGRAD,
  DEFAULT_FTRL,
  DEFAULT_SGD,
  defaultOptimizer,
  type FtrlSettings,
  type OptimizerKind,
  type OptimizerSettings,
  optimizerKinds,
  type SgdSettings,
  withElasticNet,
} from "./optimizers.js";
export { type BaselineScore, PrequentialEvaluator, type PrequentialResult } from "./prequential.js";
export { type CompiledRule, type ConsistencyRule, compileRule } from "./rules.js";
export { learnIfValid, type ValidatedUpdate } from "./validated-update.js";
export {
  type BatchValidation,
  type CategoricalColumnSchema,
  type CheckName,
  type CheckResult,
  type ColumnSchema,
  type DataSchema,
  DEFAULT_THRESHOLDS,
  inferSchema,
  type NumericColumnSchema,
  rowsToTable,
  type ValidateOptions,
  type ValidationThresholds,
  validateBatch,
} from "./validation.js";
