export { columnsOf, type IngestLimits, ingestContext } from "./context.js";
export {
  type BatchReceipt,
  type DerivedAppend,
  deriveAppend,
  workerContext,
  workerWindow,
} from "./derive.js";
export { type EventScanner, eventScanner } from "./event-scan.js";
export {
  Ingest,
  type IngestOptions,
  type IngestResult,
  type QueuedIngestResult,
  type StoredIngestResult,
} from "./ingest.js";
export {
  batchId,
  decodeAppend,
  encodeBatch,
  type QueuedBatch,
  type QueuedHeader,
  type QueueFailure,
  QueuePublisher,
} from "./queued-append.js";
export { type IngestRouteDeps, ingestRoutes } from "./routes.js";
export { SerialChain } from "./serial-chain.js";
export { type StoreFailure, StoreHealth } from "./store-health.js";
export { DEAD_LETTERS, StoreWriter, type StoreWriterOptions } from "./store-writer.js";
