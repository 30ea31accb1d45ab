export { type ExplanationService, type ExplanationStore, Explanations } from "./explanations.js";
export { EXPLAIN_SCORING } from "./permutation.js";
export { explanationCollection } from "./storage.js";
export type {
  AttributionDriftAnswer,
  ImportanceAnswer,
  ImportanceEntry,
  ReferenceImportance,
} from "./types.js";
export { EXPLAIN_MIN_ROWS } from "./usable-rows.js";
