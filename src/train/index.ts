/**
 * Training small MLPs in TypeScript (issues #13 and #15): onnxruntime-node runs models but cannot
 * train them. Dense layers with float32 weights laid out as ONNX Gemm's (transB = 1), losses for
 * classification, regression and Hinton distillation, SGD/Adam/AdaGrad with elastic net, masks and
 * importance weights, and a trainer whose whole state serialises. See docs/decisions.md ("Training engine").
 */

export { float32FromBase64, float64ArrayFromBase64, typedToBase64, uint8FromBase64 } from "../stats/index.js";
export { ACTIVATIONS, type Activation, activateInPlace, activationBackwardInPlace } from "./activation.js";
export { denseBackwardInput, denseBackwardParams, denseForward } from "./dense-kernels.js";
export { DEFAULT_DISTILLATION, type DistillationSettings, distillationLoss } from "./distillation-loss.js";
export { type ElasticNet, softThreshold } from "./elastic-net.js";
export { type LearningRateSchedule, scheduledRate } from "./learning-rate-schedule.js";
export { logSumExp } from "./log-sum-exp.js";
export { meanSquaredError, regressionDistillationLoss } from "./mean-squared-error.js";
export {
  argmaxRows,
  cloneMlp,
  createMlp,
  type DenseLayer,
  inputWidth,
  type Mlp,
  type MlpSpec,
  mlpPredict,
  type NormalSource,
  outputWidth,
  type WeightInit,
} from "./mlp.js";
export {
  createOptimizerState,
  type OptimizerSpec,
  type OptimizerState,
  optimizerStep,
  type ParameterSlot,
} from "./optimizer.js";
export { softmaxCrossEntropy } from "./softmax-cross-entropy.js";
export { stratifiedSplit } from "./stratified-split.js";
export {
  type LossSpec,
  MlpTrainer,
  maskOfNonZeros,
  type TrainerJson,
  type TrainerOptions,
  type TrainingData,
} from "./trainer.js";
