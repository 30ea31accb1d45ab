import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isTikTokToeError, TikTokToeError } from "../../errors/index.js";
import { openSqliteStoreThread } from "./thread.js";
import { errorFrom, errorShape } from "./thread-protocol.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-sqlite-thread-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("errors cross the thread with what their callers read: a TikTokToeError's code and details, a driver's code", () => {
  const refused = errorFrom(
    errorShape(new TikTokToeError("STORE_UNAVAILABLE", "down", { path: "x", hint: "wait", retryAfterS: 5 })),
  );
  assert.ok(isTikTokToeError(refused, "STORE_UNAVAILABLE"));
  assert.equal(refused.message, "down");
  assert.equal(refused.retryAfterS, 5);
  assert.equal(refused.hint, "wait");
  assert.deepEqual(refused.location, { path: "x" });
  // StoreHealth recognises a full disk by the driver's code.
  const driver = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
  const crossed = errorFrom(errorShape(driver)) as Error & { code?: string };
  assert.equal(crossed.code, "SQLITE_FULL");
  assert.equal(crossed.message, "database or disk is full");
});

test("a call after close is refused as STORE_UNAVAILABLE, not left waiting", async () => {
  const store = await openSqliteStoreThread({ file: join(dir, "closed.db") });
  await store.close();
  await assert.rejects(store.listModels(), (error: unknown) => isTikTokToeError(error, "STORE_UNAVAILABLE"));
});

test("an argument that cannot be copied to the thread is refused at once, and the store goes on", async () => {
  const store = await openSqliteStoreThread({ file: join(dir, "clone.db") });
  try {
    const bad = { name: "m", task: "regression", features: [], createdMs: 0, note: () => undefined };
    await assert.rejects(store.createModel(bad as never), { name: "DataCloneError" });
    assert.deepEqual(await store.listModels(), []);
  } finally {
    await store.close();
  }
});

test("opening a file that cannot be a database fails at open, with the driver's error", async () => {
  await assert.rejects(openSqliteStoreThread({ file: join(dir, "no", "such", "dir", "x.db") }));
});

test("a store left open does not keep a finished process alive; a call in flight does", () => {
  const file = join(dir, "open.db");
  const module = new URL("./thread.js", import.meta.url).href;
  const script = `
    const { openSqliteStoreThread } = await import(${JSON.stringify(module)});
    const store = await openSqliteStoreThread({ file: ${JSON.stringify(file)} });
    // Nothing else keeps the event loop alive while this call waits for the thread.
    const models = await store.listModels();
    console.log("models", models.length);
  `;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 20_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), "models 0");
});
