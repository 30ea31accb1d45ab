export {
  type ChangeBus,
  type ChangeListener,
  MAX_NOTICE_BYTES,
  openLocalChangeBus,
} from "./change-bus.js";
export { type JobLocks, openLocalJobLocks } from "./job-locks.js";
export { openChangeBusFor, openJobLocksFor, openStore, type StoreSelection } from "./open-store.js";
export { type DocumentRecord, finiteRange, labelLogLine, type Store } from "./port.js";
export { openPgChangeBus, type PgChangeBusOptions } from "./postgres/change-bus.js";
export {
  openPostgresStore,
  type PgLocation,
  type PostgresStoreOptions,
  parsePostgresUrl,
} from "./postgres/index.js";
export { openPgJobLocks, type PgJobLocksOptions } from "./postgres/lease.js";
export type {
  ArtifactKind,
  EventsAppend,
  FeatureSpec,
  IndexedEvent,
  IngestAppend,
  IngestAppendResult,
  LabelsAppend,
  LogBatch,
  ModelRecord,
  ModelTask,
  OutboxItem,
  SilenceRecord,
  VersionRecord,
  WindowRecord,
} from "./records.js";
export { openSqliteStore, type SqliteStoreOptions } from "./sqlite/index.js";
