import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "./logger.js";

test("levels below the minimum are dropped; json lines carry time, level, message, fields and errors", () => {
  const lines: string[] = [];
  const log = createLogger({ level: "info", format: "json", write: (l) => lines.push(l), now: () => 0 });
  log.debug("hidden");
  log.child({ component: "ingest" }).error("group commit failed", {
    error: Object.assign(new Error("disk is full"), { code: "SQLITE_FULL" }),
    batches: 3,
  });
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.equal(line.time, "1970-01-01T00:00:00.000Z");
  assert.equal(line.level, "error");
  assert.equal(line.msg, "group commit failed");
  assert.equal(line.component, "ingest");
  assert.equal(line.batches, 3);
  assert.deepEqual(Object.keys(line.error as object).sort(), ["code", "message", "stack"]);
});

test("text lines are key=value with quoted strings, and a writer that throws never reaches the caller", () => {
  const lines: string[] = [];
  createLogger({ level: "debug", write: (l) => lines.push(l), now: () => 0 }).warn("slow", {
    model: "bike",
    note: "two words",
  });
  assert.equal(lines[0], '1970-01-01T00:00:00.000Z WARN slow model=bike note="two words"\n');
  const broken = createLogger({
    write: () => {
      throw new Error("EPIPE");
    },
  });
  assert.doesNotThrow(() => broken.error("x"));
});
