import { randomBytes } from "node:crypto";
import { after, test } from "node:test";
import { TEST_PG_URL } from "../../testing/services.js";
import type { ChangeBus } from "../change-bus.js";
import { changeBusConformance } from "../change-bus-conformance.js";
import { openPgChangeBus } from "./change-bus.js";
import { pgMissing, TestSchemas } from "./postgres.test.helpers.js";

if (pgMissing !== false) test("change bus conformance: postgres", { skip: pgMissing }, () => undefined);
else {
  const schemas = new TestSchemas("bus");
  after(() => schemas.dropAll());
  const names = new Map<ChangeBus, string>();
  changeBusConformance({
    name: "postgres (LISTEN/NOTIFY)",
    newLocation: () => schemas.fresh(),
    open: async (schema) => {
      const applicationName = `tt-bus-${randomBytes(5).toString("hex")}`;
      const bus = await openPgChangeBus({ url: TEST_PG_URL, schema, applicationName, resyncMs: 0 });
      names.set(bus, applicationName);
      return bus;
    },
    // The server ends the listening session, as in a network partition or a database restart.
    cut: async (bus) => {
      const admin = await schemas.admin();
      try {
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
          [names.get(bus)],
        );
      } finally {
        await admin.end();
      }
    },
  });
}
