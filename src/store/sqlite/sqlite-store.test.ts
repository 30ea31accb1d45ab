import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { storeConformance } from "../conformance.js";
import { openSqliteStore } from "./sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-sqlite-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

storeConformance({
  name: "sqlite",
  newLocation: () => join(dir, `store-${++counter}.db`),
  open: (file) => openSqliteStore({ file }),
});
