export type { DocumentRecord, Store } from "./port.js";
export type {
  ArtifactKind,
  FeatureSpec,
  LogBatch,
  ModelRecord,
  ModelTask,
  OutboxItem,
  SilenceRecord,
  VersionRecord,
  WindowRecord,
} from "./records.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite/index.js";
