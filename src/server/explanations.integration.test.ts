import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ImportanceAnswer } from "./explanations/index.js";
import {
  type CancerFixture,
  onnxRuntime,
  setUpCancer,
  WINDOW_A,
  WINDOW_B,
  WINDOW_LAST,
} from "./explanations.test.helpers.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * Permutation importance end to end (issue #6): the breast-cancer MLP registered as a version's ONNX
 * artifact, half the data uploaded as its reference and the other half ingested as events and labels;
 * the server reads the window's labelled events back from the ingest log, runs the model through
 * onnxruntime-node and compares the ranking with the reference's. What the model relies on comes
 * from a direct run (the explain test's setup), not from this code's own output.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-explain-"));
let server: RunningServer | undefined;
let fixture: CancerFixture;
let ort: Awaited<ReturnType<typeof onnxRuntime>> = null;

const start = () => startServer({ port: 0, dataDir: join(dir, "data"), clock: "event" });

before(async () => {
  ort = await onnxRuntime();
  server = await start();
  if (ort !== null) fixture = await setUpCancer(server.url, ort);
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server!.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function importance(startMs: number, version = "1"): Promise<ImportanceAnswer> {
  const { status, body } = await get(`/v1/models/cancer/windows/${startMs}/importance?version=${version}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body as unknown as ImportanceAnswer;
}

test("permutation importance of a window runs end to end on breast_cancer_mlp.onnx", async (t) => {
  if (ort === null) {
    t.skip("onnxruntime-node is not installed");
    return;
  }
  const a = await importance(WINDOW_A);
  assert.equal(a.method, "permutation");
  assert.equal(a.scoring, "neg_log_loss");
  assert.equal(a.repeats, 5);
  assert.equal(a.rows, fixture.windowRows, "every labelled event of the window");
  assert.equal(a.count, fixture.windowRows);
  assert.equal(a.skipped, 0);
  // The model is fed right (features in schema order): the log loss of a good classifier.
  assert.ok(a.baseline !== null && a.baseline > -0.2, `baseline log loss ${a.baseline}`);
  assert.deepEqual(
    a.importances.map((f) => f.feature),
    fixture.data.names,
    "one importance per feature, in schema order",
  );
  for (const f of a.importances)
    assert.ok(Number.isFinite(f.mean) && Number.isFinite(f.std) && f.std >= 0, JSON.stringify(f));
  assert.ok(a.importances.reduce((s, f) => s + Math.max(f.mean, 0), 0) > 0);
  assert.deepEqual(
    [...a.ranking].sort(),
    [...fixture.data.names].sort(),
    "the ranking lists every feature once",
  );
  t.diagnostic(
    `direct top 3: ${fixture.direct.slice(0, 3).join(", ")}; window A's: ${a.ranking.slice(0, 3)}`,
  );
  assert.ok(
    fixture.direct.slice(0, 3).includes(a.ranking[0]!),
    `the window's top feature ${a.ranking[0]} is among the direct run's top 3 (${fixture.direct.slice(0, 3)})`,
  );

  // The reference's importance, computed at upload from the even rows.
  assert.ok(a.reference !== null, JSON.stringify(a.notes));
  assert.equal(a.reference.method, "permutation");
  assert.equal(a.reference.rows, fixture.referenceRows);
  assert.deepEqual(
    a.reference.importances.map((f) => f.feature),
    fixture.data.names,
  );
  for (const f of a.reference.importances) assert.ok(Number.isFinite(f.mean), JSON.stringify(f));
  // Two halves of the same data: the rankings agree.
  assert.ok(a.attributionDrift !== null);
  const ndcgA = a.attributionDrift.ndcg;
  t.diagnostic(
    `reference top 3: ${a.reference.ranking.slice(0, 3)}; nDCG ${ndcgA}, Spearman ${a.attributionDrift.spearman}`,
  );
  assert.ok(ndcgA !== null && ndcgA > 0 && ndcgA <= 1, `nDCG ${ndcgA}`);
  assert.equal(a.attributionDrift.drifted, false, `nDCG ${ndcgA} for same-distribution halves`);
  assert.ok(a.attributionDrift.spearman !== null && a.attributionDrift.spearman > 0);

  // Window B: the direct run's top feature is a constant in every event, so shuffling it changes
  // nothing — exactly 0 — and the ranking agrees less with the reference's.
  const b = await importance(WINDOW_B);
  const blinded = b.importances.find((f) => f.feature === fixture.blinded)!;
  assert.equal(blinded.mean, 0);
  assert.equal(blinded.std, 0);
  assert.ok(b.attributionDrift !== null && b.attributionDrift.ndcg !== null);
  t.diagnostic(`window B (${fixture.blinded} blinded): nDCG ${b.attributionDrift.ndcg}`);
  assert.ok(
    b.attributionDrift.ndcg < ndcgA,
    `blinding ${fixture.blinded} lowers nDCG: ${b.attributionDrift.ndcg} < ${ndcgA}`,
  );
  assert.ok(
    b.attributionDrift.topChanges.some((c) => c.feature === fixture.blinded),
    "the blinded feature is among the top changes",
  );

  // Attribution drift is a health signal: the newest final window (B) ranks features unlike the
  // reference, so the model's health gives it as a reason, with the nDCG and its threshold.
  assert.equal(b.attributionDrift.drifted, true, `nDCG ${b.attributionDrift.ndcg}`);
  await server!.service.flush();
  await server!.explanations.idle();
  const overview = (await (await fetch(`${server!.url}/v1/overview`)).json()) as {
    models: Array<{ name: string; health: { reasons: Array<{ source: string; message: string }> } }>;
  };
  const reasons = overview.models.find((m) => m.name === "cancer")!.health.reasons;
  const reason = reasons.find((r) => r.source === "attribution");
  assert.ok(reason, JSON.stringify(reasons));
  assert.match(
    reason.message,
    new RegExp(`^attribution_ndcg ${b.attributionDrift.ndcg!.toPrecision(4)} against 0\\.9000`),
  );

  // Cached: the same answer again, and after a restart (from the store, seeded the same).
  assert.deepEqual(await importance(WINDOW_A), a);
  await server!.close();
  server = undefined;
  server = await start();
  assert.deepEqual(await importance(WINDOW_A), a);
  assert.deepEqual(await importance(WINDOW_B), b);
});

test("bad requests: no window, too few labels, no ONNX model, no version", async (t) => {
  if (ort === null) {
    t.skip("onnxruntime-node is not installed");
    return;
  }
  const missing = await get(`/v1/models/cancer/windows/${WINDOW_A + 5 * 3_600_000}/importance?version=1`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, "NOT_FOUND");
  assert.match(String(missing.body.message), /no window of version "1" starts at/);

  const unlabelled = await get(`/v1/models/cancer/windows/${WINDOW_LAST}/importance?version=1`);
  assert.equal(unlabelled.status, 404);
  assert.match(String(unlabelled.body.message), /has 0 usable labelled events; importance needs at least 30/);
  assert.match(String(unlabelled.body.hint), /labels/);

  const plain = await fetch(`${server!.url}/v1/models/cancer/versions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ version: "plain" }),
  });
  assert.equal(plain.status, 201);
  const noOnnx = await get(`/v1/models/cancer/windows/${WINDOW_A}/importance?version=plain`);
  assert.equal(noOnnx.status, 404);
  assert.match(String(noOnnx.body.message), /no ONNX artifact and no linear weights/);
  assert.match(String(noOnnx.body.hint), /onnx.*meta\.linear/);

  const noVersion = await get(`/v1/models/cancer/windows/${WINDOW_A}/importance`);
  assert.equal(noVersion.status, 400);
  assert.equal(noVersion.body.code, "REQUEST_INVALID");
  const badStart = await get("/v1/models/cancer/windows/yesterday/importance?version=1");
  assert.equal(badStart.status, 400);
  const unknownModel = await get(`/v1/models/nope/windows/${WINDOW_A}/importance?version=1`);
  assert.equal(unknownModel.status, 404);
});

test("a version with linear weights gets exact attributions: |w| times the mean distance from the reference mean", async () => {
  const post = async (path: string, body: string, type = "application/json") => {
    const response = await fetch(`${server!.url}${path}`, {
      method: path.endsWith("reference") ? "PUT" : "POST",
      headers: { "content-type": type },
      body,
    });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
  };
  await post(
    "/v1/models",
    JSON.stringify({
      name: "lin",
      task: "regression",
      features: [
        { name: "x", type: "numeric" },
        { name: "z", type: "numeric" },
        { name: "colour", type: "categorical" },
      ],
    }),
  );
  await post(
    "/v1/models/lin/versions",
    JSON.stringify({ version: "1", meta: { linear: { weights: { x: 2, z: -0.5 }, bias: 1 } } }),
  );
  // Reference: x = 0..9 (mean 4.5), z = 0..9 ×10 (mean 45).
  const reference = ["x,z,colour", ...Array.from({ length: 10 }, (_, i) => `${i},${i * 10},red`)].join("\n");
  await post("/v1/models/lin/versions/1/reference", reference, "text/csv");
  const events = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({
      id: `l${i}`,
      time: WINDOW_A + i * 1000,
      version: "1",
      features: { x: i % 4, z: 45, colour: "blue" },
      prediction: 1 + 2 * (i % 4) - 22.5,
    }),
  );
  await post("/v1/models/lin/events", events.join("\n"), "application/x-ndjson");
  const { status, body } = await get(`/v1/models/lin/windows/${WINDOW_A}/importance?version=1`);
  assert.equal(status, 200, JSON.stringify(body));
  const answer = body as unknown as ImportanceAnswer;
  assert.equal(answer.method, "linear");
  assert.equal(answer.rows, 40);
  // x ∈ {0, 1, 2, 3} against the reference mean 4.5: |2(x − 4.5)| averages 2 · 3 = 6.
  const [x, z] = answer.importances;
  assert.deepEqual(
    answer.importances.map((f) => f.feature),
    ["x", "z"],
  );
  assert.ok(Math.abs(x!.mean - 6) < 1e-12, `x: ${x!.mean}`);
  assert.equal(z!.mean, 0, "z sits on the reference mean in every event");
  assert.match(answer.notes.join(" "), /colour/);
  // The reference: |2(x − 4.5)| over 0..9 averages 5; |−0.5(z − 45)| averages 12.5.
  assert.ok(answer.reference !== null);
  assert.ok(Math.abs(answer.reference.importances[0]!.mean - 5) < 1e-12);
  assert.ok(Math.abs(answer.reference.importances[1]!.mean - 12.5) < 1e-12);
  assert.deepEqual(answer.ranking, ["x", "z"]);
  assert.ok(answer.attributionDrift?.drifted, "the ranking flipped");
});
