export { type JetStreamQueueOptions, openJetStreamQueue, parseAckSubject } from "./jetstream-queue.js";
