import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { startServer } from "./start.js";

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-reference-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a classifier's reference may leave out prediction, target and score", async () => {
  const server = await startServer({ port: 0, dataDir: join(dir, "data") });
  const call = (method: string, path: string, body: string, type = "application/json") =>
    fetch(`${server.url}${path}`, { method, headers: { "content-type": type }, body });
  try {
    const model = {
      name: "churn",
      task: "binary",
      classes: ["no", "yes"],
      features: [
        { name: "tenure", type: "numeric" },
        { name: "plan", type: "categorical" },
      ],
    };
    assert.equal((await call("POST", "/v1/models", JSON.stringify(model))).status, 201);
    assert.equal(
      (await call("POST", "/v1/models/churn/versions", JSON.stringify({ version: "1" }))).status,
      201,
    );
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${i % 2 === 0 ? "basic" : "pro"}`);
    const bare = await call(
      "PUT",
      "/v1/models/churn/versions/1/reference",
      ["tenure,plan", ...rows].join("\n"),
      "text/csv",
    );
    const answer = (await bare.json()) as {
      rows: number;
      prediction: string | null;
      target: boolean;
      note?: string;
    };
    assert.equal(bare.status, 200, JSON.stringify(answer));
    assert.deepEqual([answer.rows, answer.prediction, answer.target], [50, null, false]);
    assert.match(answer.note ?? "", /no prediction column and no ONNX artifact/);
    // With only a target: still accepted.
    const withTarget = await call(
      "PUT",
      "/v1/models/churn/versions/1/reference",
      ["tenure,plan,target", ...rows.map((r, i) => `${r},${i % 3 === 0 ? "yes" : "no"}`)].join("\n"),
      "text/csv",
    );
    assert.equal(withTarget.status, 200);
    assert.equal(((await withTarget.json()) as { target: boolean }).target, true);
    // A score column that is not numeric is a 400 naming it.
    const badScore = await call(
      "PUT",
      "/v1/models/churn/versions/1/reference",
      ["tenure,plan,score", ...rows.map((r) => `${r},high`)].join("\n"),
      "text/csv",
    );
    assert.equal(badScore.status, 400);
    assert.equal(((await badScore.json()) as { location: { path: string } }).location.path, "score");
  } finally {
    await server.close();
  }
});
