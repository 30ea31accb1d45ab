/**
 * Explanations for monitoring, pure (no I/O, no clock, the random source passed in): permutation
 * importance of any model behind an async batched `predict`, exact attributions of linear models, and
 * attribution drift between a reference and a window (nDCG, Spearman). docs/explainability.md gives
 * the definitions and the choices.
 */
export {
  ATTRIBUTION_DRIFT_THRESHOLD,
  type AttributionChange,
  type AttributionDrift,
  type AttributionDriftOptions,
  attributionDrift,
  IMPORTANCE_CHANGE_FACTOR,
  ndcgAtK,
  spearmanCorrelation,
} from "./attribution-drift.js";
export {
  featureMeans,
  type LinearAttributions,
  type LinearModel,
  linearAttributions,
  linearMargin,
} from "./linear-attributions.js";
export {
  type BatchPredict,
  type ExplainData,
  type FeatureImportance,
  PERMUTATION_MAX_ROWS,
  PERMUTATION_REPEATS,
  type PermutationImportanceOptions,
  type PermutationImportanceResult,
  permutationImportance,
} from "./permutation-importance.js";
export { averageRanks, rankDescending } from "./ranking.js";
export {
  accuracyScore,
  meanAbsoluteError,
  meanSquaredError,
  negLogLossScore,
  r2Score,
  rocAucScore,
  SCORERS,
  type Scorer,
  type ScoringName,
} from "./scorers.js";
