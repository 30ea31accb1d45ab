/**
 * `tiktoktoe/client`: the SDK a service uses to send prediction events and late labels to
 * `tiktoktoe serve`. No runtime dependencies and no imports from the rest of the project: it ships
 * alone.
 */
export { createClient } from "./client.js";
export type {
  ClientErrorInfo,
  ClientOptions,
  ClientStats,
  FeatureValue,
  FetchLike,
  LabelInput,
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
