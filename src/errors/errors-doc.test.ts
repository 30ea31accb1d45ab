import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { repoPath } from "../testing/paths.js";
import { errorCodes } from "./codes.js";
import { TikTokToeError } from "./tiktoktoe-error.js";

test("docs/errors.md documents every error code with its HTTP status", () => {
  const doc = readFileSync(repoPath("docs", "errors.md"), "utf8");
  for (const [code, { status }] of Object.entries(errorCodes)) {
    const row = doc.split("\n").find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} is not documented in docs/errors.md`);
    assert.ok(row.includes(`| ${status} |`), `${code}'s row does not give status ${status}`);
  }
});

test("an error carries its code's status and says where and what to do", () => {
  const error = new TikTokToeError("INPUT_RAGGED_ROW", "expected 3 fields, found 2", {
    file: "cur.csv",
    line: 7,
    hint: "fix the row",
  });
  assert.equal(error.status, 400);
  assert.equal(error.expected, true);
  assert.equal(error.describe(), "cur.csv:7: expected 3 fields, found 2\n  hint: fix the row");
  assert.deepEqual(error.toJSON(), {
    code: "INPUT_RAGGED_ROW",
    message: "expected 3 fields, found 2",
    location: { file: "cur.csv", line: 7 },
    hint: "fix the row",
  });
  assert.equal(new TikTokToeError("INTERNAL", "bug").expected, false);
});
