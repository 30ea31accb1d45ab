export { type MemoryQueueOptions, openMemoryQueue } from "./memory-queue.js";
