export { type IngestLimits, ingestContext } from "./context.js";
export { Ingest, type IngestOptions, type IngestResult } from "./ingest.js";
export { SerialChain } from "./serial-chain.js";
export { type StoreFailure, StoreHealth } from "./store-health.js";
