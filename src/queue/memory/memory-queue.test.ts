import { randomUUID } from "node:crypto";
import { queueConformance } from "../conformance.js";
import { openMemoryQueue } from "./memory-queue.js";

queueConformance({
  name: "memory",
  newLocation: () => `test-${randomUUID()}`,
  open: async (name, options) => openMemoryQueue({ name, ...options }),
});
