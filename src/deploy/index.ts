/**
 * Deployment's pure core (issue #14): registry stages and their moves, sticky routing by request key,
 * the rollout state machine, and the canary analysis (canary against production: quality, error
 * rate, latency, agreement, prediction drift). No I/O; the clock comes in with each call. The server
 * (src/server/serving) stores, schedules and serves with it.
 */
export {
  type Agreement,
  type AnalysisLimits,
  type AnalysisResult,
  type ArmObservations,
  analyzeRollout,
  compareAccuracy,
  compareAgreement,
  compareErrorRate,
  compareLatency,
  compareMae,
  comparePredictionDrift,
  defaultAnalysisLimits,
  type MetricResult,
  type Outcome,
  overallOutcome,
} from "./analysis.js";
export {
  analysisDue,
  applyRolloutEvent,
  canaryWeight,
  isFinal,
  isShadowing,
  type Rollout,
  type RolloutEvent,
  type RolloutPhase,
  type RolloutSpec,
  rolloutSpec,
  rolloutStages,
  startRollout,
} from "./rollout.js";
export { BUCKETS, fnv1a32, routesToCanary, routingBucket } from "./routing.js";
export { assertStageMove, canMoveStage, type Stage, stages } from "./stages.js";
export {
  checkAgreement,
  checkGolden,
  checkInvariance,
  checkLatency,
  checkSchema,
  describeFailures,
  type GoldenExpectation,
  type ModelSignature,
  type SignatureValue,
  skippedTest,
  type VerificationKind,
  type VerificationOutcome,
  type VerificationTestResult,
  type VerifiedOutput,
  verificationOutcome,
} from "./verification.js";
