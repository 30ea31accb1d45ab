import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { storeConformance } from "../conformance.js";
import { openSqliteStore } from "./sqlite-store.js";
import { openSqliteStoreThread } from "./thread.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

storeConformance({
  name: "sqlite",
  newLocation: () => join(dir, `store-${++counter}.db`),
  open: (file) => openSqliteStore({ file }),
});

// The same store in its own thread (what the server opens): the proxy must not change a thing.
storeConformance({
  name: "sqlite in its own thread",
  newLocation: () => join(dir, `store-${++counter}.db`),
  open: (file) => openSqliteStoreThread({ file }),
});
