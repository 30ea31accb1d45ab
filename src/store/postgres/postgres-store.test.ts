import { after, test } from "node:test";
import { TEST_PG_URL } from "../../testing/services.js";
import { storeConformance } from "../conformance.js";
import { pgMissing, TestSchemas } from "./postgres.test.helpers.js";
import { openPostgresStore } from "./postgres-store.js";

// The storage port's one suite, unchanged; each test on its own schema, dropped at the end.
if (pgMissing !== false) test("store conformance: postgres", { skip: pgMissing }, () => undefined);
else {
  const schemas = new TestSchemas("conf");
  after(() => schemas.dropAll());
  storeConformance({
    name: "postgres",
    newLocation: () => schemas.fresh(),
    open: (schema) => openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 4 }),
  });
}
