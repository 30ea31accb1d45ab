import { randomUUID } from "node:crypto";
import { openLocalJobLocks } from "./job-locks.js";
import { jobLocksConformance } from "./job-locks-conformance.js";

jobLocksConformance({
  name: "local (in-process)",
  newLocation: () => randomUUID(),
  open: async (scope) => openLocalJobLocks(scope),
  // The process ending is the only way a local holder dies; close is what it leaves behind.
  kill: (locks) => locks.close(),
});
