/**
 * `tiktoktoe/client`: the SDK a service uses to send prediction events and late labels to
 * `tiktoktoe serve`. No runtime dependencies and no runtime imports from the rest of the project (its wire
 * types come from the HTTP contract with `import type`): it ships alone.
 */
export { createClient } from "./client.js";
export {
  downloadModel,
  downloadReference,
  type LabelledQuery,
  readLabelled,
  type ServerLocation,
  ServerRequestError,
} from "./files.js";
export type {
  ClientErrorInfo,
  ClientOptions,
  ClientStats,
  ErrorBody,
  EventRecord,
  FeatureValue,
  FetchLike,
  IngestProblem,
  IngestResult,
  LabelInput,
  LabelledEvent,
  LabelRecord,
  MonitorClient,
  PredictionInput,
  RecordKind,
  RejectedRecord,
  SessionFeeds,
  SessionLike,
  SessionOutputs,
  TimeInput,
  WrapOptions,
  WrappedRecord,
} from "./types.js";
