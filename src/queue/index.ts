export { type JetStreamQueueOptions, openJetStreamQueue } from "./jetstream/index.js";
export { type MemoryQueueOptions, openMemoryQueue } from "./memory/index.js";
export type { IngestQueue, PublishResult, QueueBatch, QueueConsumer, QueueMessage } from "./port.js";
