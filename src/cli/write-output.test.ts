import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { isTikTokToeError } from "../errors/index.js";
import { checkOutputPath, writeFileAtomic } from "./write-output.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-write-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const usageNaming = (file: string, reason: RegExp) => (error: unknown) => {
  assert.ok(isTikTokToeError(error, "USAGE"), String(error));
  assert.match(error.message, new RegExp(`to ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: `));
  assert.match(error.message, reason);
  assert.doesNotMatch(error.describe(), /\.tmp/);
  assert.equal(error.location.path, "--output");
  assert.ok(error.hint);
  return true;
};

test("a failed write names the path the user gave, not the temporary file", async () => {
  const file = join(dir, "missing", "x.html");
  await assert.rejects(writeFileAtomic(file, "x"), usageNaming(file, /folder .*missing does not exist/));
  await assert.rejects(writeFileAtomic(dir, "x"), usageNaming(dir, /./));
});

test("checkOutputPath rejects a missing folder and a folder as the file, before any work", async () => {
  const file = join(dir, "nope", "x.json");
  await assert.rejects(checkOutputPath(file), usageNaming(file, /does not exist/));
  await assert.rejects(checkOutputPath(dir), usageNaming(dir, /is a folder/));
  const ok = join(dir, "ok.json");
  await checkOutputPath(ok);
  await writeFileAtomic(ok, "{}");
  assert.equal(readFileSync(ok, "utf8"), "{}");
});
