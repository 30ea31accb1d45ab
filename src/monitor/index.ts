export {
  type BatchFormat,
  type BatchResult,
  type IngestContext,
  parseEventBatch,
  parseLabelBatch,
} from "./ingest-parse.js";
export type { LabelRecord, PredictionEvent, RecordProblem, RecordProblemCode } from "./records.js";
export {
  EventTimeClock,
  isWindowFinal,
  MONDAY_ORIGIN_MS,
  type MonitorClock,
  oldestAcceptedMs,
  WallClock,
  windowStart,
} from "./windows.js";
