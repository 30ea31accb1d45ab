export {
  type BatchFormat,
  type BatchResult,
  type IngestContext,
  MAX_PROBLEMS,
  parseEventBatch,
  parseEventRecords,
  parseLabelBatch,
  TIME_RANGE_MS,
} from "./ingest-parse.js";
export type { LabelRecord, PredictionEvent, RecordProblem, RecordProblemCode } from "./records.js";
export { featureValue } from "./records.js";
export { type ReferenceQuality, referenceQuality } from "./reference-quality.js";
export { qualityValue, type WindowVerdict, windowVerdicts } from "./verdicts.js";
export {
  buildReferenceProfile,
  type ReferenceColumn,
  type ReferenceProfile,
  windowDrift,
} from "./window-drift.js";
export {
  groupsOf,
  type LatencySummary,
  MAX_CATEGORIES,
  PREDICTION,
  TARGET,
  type WindowModel,
  WindowState,
  type WindowStateJson,
} from "./window-state.js";
export {
  EventTimeClock,
  isWindowFinal,
  MONDAY_ORIGIN_MS,
  type MonitorClock,
  oldestAcceptedMs,
  WallClock,
  windowStart,
} from "./windows.js";
