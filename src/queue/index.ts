export { type JetStreamQueueOptions, openJetStreamQueue } from "./jetstream/index.js";
export { type MemoryQueueOptions, openMemoryQueue } from "./memory/index.js";
export {
  checkHeader,
  type IngestQueue,
  MAX_HEADER_LENGTH,
  type PublishResult,
  type QueueBatch,
  type QueueConsumer,
  type QueueMessage,
} from "./port.js";
