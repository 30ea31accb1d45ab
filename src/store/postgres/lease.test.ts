import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { TEST_PG_URL } from "../../testing/services.js";
import type { JobLocks } from "../job-locks.js";
import { jobLocksConformance } from "../job-locks-conformance.js";
import { openPgJobLocks } from "./lease.js";
import { pgMissing, TestSchemas } from "./postgres.test.helpers.js";

if (pgMissing !== false) test("job locks conformance: postgres", { skip: pgMissing }, () => undefined);
else {
  const schemas = new TestSchemas("locks");
  after(() => schemas.dropAll());
  const names = new Map<JobLocks, string>();
  jobLocksConformance({
    name: "postgres (advisory locks)",
    newLocation: () => schemas.fresh(),
    open: async (schema) => {
      const applicationName = `tt-lock-${randomBytes(5).toString("hex")}`;
      const locks = await openPgJobLocks({ url: TEST_PG_URL, schema, applicationName });
      names.set(locks, applicationName);
      return locks;
    },
    // The server ends the holder's session, as when its replica is killed or partitioned away.
    kill: async (locks) => {
      const admin = await schemas.admin();
      try {
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          [names.get(locks)],
        );
      } finally {
        await admin.end();
      }
    },
  });
}
