import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { z } from "zod";
import { api, components, errorOf, errorsOf, LabelledEvent, type RouteContract } from "../contract/index.js";
import type { ErrorCode } from "../errors/index.js";
import { repoPath } from "../testing/paths.js";
import { type RunningServer, startServer } from "./start.js";

/**
 * Every route of the contract, called for real: each answer (status and body) must be one the
 * generated /openapi.json lists for that route, and must parse with the schema it names there — the
 * route's own answer schema, or the error schema of the body's code.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-contract-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.parse("2024-01-01T00:00:00Z");
let server: RunningServer;
let guarded: RunningServer;
// biome-ignore lint/suspicious/noExplicitAny: the served document is walked as plain JSON
let doc: any;
/** Which (operation, status) pairs the test saw, to check that every route was called. */
const seen = new Map<string, Set<number>>();

before(async () => {
  writeFileSync(
    join(dir, "monitor.yaml"),
    "monitor:\n  window: 1d\n  lateness: 1d\n  min_samples: 30\nmetrics:\n  quality: { metric: mae, threshold: 60 }\n",
  );
  writeFileSync(join(dir, "tokens.txt"), "ing-1 ingest\nread-1 read\nadm-1 admin\n");
  server = await startServer({
    port: 0,
    dataDir: join(dir, "data"),
    configFile: join(dir, "monitor.yaml"),
    clock: "event",
    flushIntervalMs: 60_000,
  });
  guarded = await startServer({
    port: 0,
    dataDir: join(dir, "guarded"),
    tokensFile: join(dir, "tokens.txt"),
    maxBodyBytes: 4096,
  });
  doc = await (await fetch(`${server.url}/openapi.json`)).json();
});
after(async () => {
  await server?.close();
  await guarded?.close();
});

const idOf = (schema: z.ZodType) => components.get(schema)?.id;

interface Call {
  readonly body?: string | Uint8Array;
  readonly type?: string;
  readonly token?: string;
  readonly on?: RunningServer;
}

/** Calls a route's path (template filled in) and checks the answer against the document and the contract. */
async function call(route: RouteContract, path: string, expected: number, options: Call = {}) {
  const response = await fetch(`${(options.on ?? server).url}${path}`, {
    method: route.method.toUpperCase(),
    headers: {
      ...(options.type === undefined ? {} : { "content-type": options.type }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined
      ? {}
      : { body: typeof options.body === "string" ? options.body : Buffer.from(options.body) }),
  });
  const text = await response.text();
  const where = `${route.method.toUpperCase()} ${path} → ${response.status}: ${text.slice(0, 300)}`;
  assert.equal(response.status, expected, where);
  const listed = doc.paths[route.path]?.[route.method]?.responses?.[String(response.status)];
  assert.ok(listed, `${where}: /openapi.json lists no ${response.status} for ${route.method} ${route.path}`);
  const type = (response.headers.get("content-type") ?? "").split(";")[0]!;
  assert.ok(listed.content?.[type], `${where}: the document lists no ${type} answer`);
  (seen.get(route.operationId) ?? seen.set(route.operationId, new Set()).get(route.operationId)!).add(
    response.status,
  );
  if (type !== "application/json") return text;
  const body = JSON.parse(text);
  const own = (route.answers as Record<number, { content?: Record<string, { schema?: z.ZodType }> }>)[
    response.status
  ]?.content?.["application/json"]?.schema;
  const ownResult = own?.safeParse(body);
  if (ownResult?.success) {
    assert.match(JSON.stringify(listed), new RegExp(`#/components/schemas/${idOf(own!)}"`), where);
    return body;
  }
  // An error answer: its code must be one the route declares for this status, in the document too.
  const code = body.code as ErrorCode;
  assert.ok(
    errorsOf(route).includes(code),
    `${where}: ${code} is not among the route's codes${ownResult ? `; own schema: ${ownResult.error.message}` : ""}`,
  );
  const schema = errorOf(code);
  assert.match(JSON.stringify(listed), new RegExp(`#/components/schemas/${idOf(schema)}"`), where);
  const parsed = schema.safeParse(body);
  assert.ok(parsed.success, `${where}: ${parsed.success ? "" : parsed.error.message}`);
  return body;
}

const json = (value: unknown) => ({ body: JSON.stringify(value), type: "application/json" });
const ndjson = (records: object[]) => ({
  body: records.map((r) => JSON.stringify(r)).join("\n"),
  type: "application/x-ndjson",
});

test("every route answers what /openapi.json and the contract declare, successes and errors", async () => {
  // Operations.
  await call(api.liveness, "/healthz", 200);
  await call(api.readiness, "/readyz", 200);
  server.service.storeFailure = { code: "STORE_UNAVAILABLE", message: "disk full (simulated)", sinceMs: T0 };
  await call(api.readiness, "/readyz", 503);
  server.service.storeFailure = null;
  await call(api.openapi, "/openapi.json", 200);
  await call(api.metrics, "/metrics", 200);

  // Models and versions.
  const model = {
    name: "m",
    task: "regression",
    features: [
      { name: "x", type: "numeric" },
      { name: "y", type: "numeric" },
      { name: "c", type: "categorical" },
    ],
  };
  await call(api.registerModel, "/v1/models", 201, json(model));
  await call(api.registerModel, "/v1/models", 409, json(model));
  const bad = await call(api.registerModel, "/v1/models", 400, json({ ...model, name: "n", task: "guess" }));
  assert.equal(bad.location.path, "task");
  const unknown = await call(api.registerModel, "/v1/models", 400, json({ ...model, name: "n", colour: 1 }));
  assert.equal(unknown.location.path, "colour");
  await call(api.registerModel, "/v1/models", 400, { body: "{", type: "application/json" });
  await call(api.registerModel, "/v1/models", 415, { body: "name=m", type: "text/plain" });
  await call(api.listModels, "/v1/models", 200);
  await call(api.getModel, "/v1/models/m", 200);
  await call(api.getModel, "/v1/models/nope", 404);
  await call(api.getModel, "/v1/models/%zz", 400);
  const linear = { linear: { weights: { x: 2, y: -1 }, bias: 0.5 } };
  await call(api.registerVersion, "/v1/models/m/versions", 201, json({ version: "1", meta: linear }));
  await call(api.registerVersion, "/v1/models/m/versions", 409, json({ version: "1" }));
  const badVersion = await call(api.registerVersion, "/v1/models/m/versions", 400, json({ version: "" }));
  assert.equal(badVersion.location.path, "version");
  await call(api.registerVersion, "/v1/models/nope/versions", 404, json({ version: "1" }));
  await call(api.registerVersion, "/v1/models/m/versions", 400, json({ version: "2", onnx: "bm90IG9ubng=" }));
  await call(api.listVersions, "/v1/models/m/versions", 200);
  await call(api.listVersions, "/v1/models/nope/versions", 404);

  // Reference data.
  const rows = Array.from({ length: 200 }, (_, i) => ({
    x: (i % 20) / 10,
    y: (i % 7) / 3,
    c: ["a", "b", "c"][i % 3]!,
  }));
  const csv = `x,y,c,prediction,target\n${rows.map((r) => `${r.x},${r.y},${r.c},${2 * r.x - r.y + 0.5},${2 * r.x - r.y}`).join("\n")}\n`;
  await call(api.putReference, "/v1/models/m/versions/1/reference", 200, { body: csv, type: "text/csv" });
  await call(api.putReference, "/v1/models/m/versions/1/reference", 415, {
    body: csv,
    type: "application/pdf",
  });
  await call(api.putReference, "/v1/models/nope/versions/1/reference", 404, { body: csv, type: "text/csv" });
  await call(api.putReference, "/v1/models/m/versions/1/reference", 400, {
    body: "x,y\n1\n",
    type: "text/csv",
  });

  // Ingest: day 0's events (shifted, so its window drifts), their labels, then the clock past the window.
  const events = rows.map((r, i) => ({
    id: `e${i}`,
    time: T0 + i * 60_000,
    version: "1",
    features: { x: r.x + 1, y: r.y, c: r.c },
    prediction: 2 * (r.x + 1) - r.y + 0.5,
    latency_ms: 3,
  }));
  await call(api.ingestEvents, "/v1/models/m/events", 200, ndjson(events));
  await call(api.ingestEvents, "/v1/models/m/events", 200, json(events.slice(0, 2)));
  const rejected = await call(
    api.ingestEvents,
    "/v1/models/m/events",
    400,
    ndjson([{ id: "z", version: "1" }]),
  );
  assert.equal(rejected.code, "INGEST_INVALID");
  assert.ok(rejected.problems.length > 0);
  await call(api.ingestEvents, "/v1/models/nope/events", 404, ndjson(events.slice(0, 1)));
  await call(api.ingestEvents, "/v1/models/m/events", 415, { body: "x", type: "text/plain" });
  const labels = rows.map((r, i) => ({ id: `e${i}`, value: 2 * (r.x + 1) - r.y, time: T0 + i * 60_000 }));
  await call(api.ingestLabels, "/v1/models/m/labels", 200, ndjson(labels));
  const badLabels = await call(api.ingestLabels, "/v1/models/m/labels", 400, ndjson([{ id: "e1" }]));
  assert.equal(badLabels.code, "INGEST_INVALID");
  await call(api.ingestLabels, "/v1/models/nope/labels", 404, ndjson(labels.slice(0, 1)));
  await call(api.ingestLabels, "/v1/models/m/labels", 415, { body: "{}", type: "text/csv" });
  await call(
    api.advanceClock,
    "/v1/models/m/clock",
    200,
    json({ time: new Date(T0 + 3 * DAY).toISOString() }),
  );
  const badClock = await call(api.advanceClock, "/v1/models/m/clock", 400, json({ time: true }));
  assert.equal(badClock.location.path, "time");
  await call(api.advanceClock, "/v1/models/m/clock", 400, json({ time: T0, extra: 1 }));
  await call(api.advanceClock, "/v1/models/nope/clock", 404, json({ time: T0 }));
  await server.service.flush();

  // Monitoring.
  const { windows } = await call(api.listWindows, "/v1/models/m/windows?version=1", 200);
  assert.ok(windows.length > 0);
  await call(api.listWindows, "/v1/models/m/windows?from=yesterday", 400);
  await call(api.listWindows, "/v1/models/nope/windows", 404);
  const start = new Date(T0).toISOString();
  await call(api.windowDrift, `/v1/models/m/windows/${start}/drift?version=1`, 200);
  const noVersion = await call(api.windowDrift, `/v1/models/m/windows/${start}/drift`, 400);
  assert.equal(noVersion.location.path, "version");
  await call(api.windowDrift, `/v1/models/m/windows/${T0 - 30 * DAY}/drift?version=1`, 404);
  await call(api.windowDrift, `/v1/models/nope/windows/${start}/drift?version=1`, 404);
  await call(api.windowImportance, `/v1/models/m/windows/${start}/importance?version=1`, 200);
  await call(api.windowImportance, `/v1/models/m/windows/${start}/importance`, 400);
  await call(api.windowImportance, `/v1/models/nope/windows/${start}/importance?version=1`, 404);
  await call(api.series, "/v1/models/m/series?from=0", 200);
  await call(api.series, "/v1/models/m/series?points=1", 400);
  await call(api.series, "/v1/models/nope/series", 404);
  await call(api.overview, "/v1/overview", 200);
  const { reports } = await call(api.listReports, "/v1/models/m/reports", 200);
  await call(api.listReports, "/v1/models/m/reports?limit=0", 400);
  await call(api.listReports, "/v1/models/nope/reports", 404);
  if (reports.length > 0) await call(api.getReport, `/v1/models/m/reports/${reports[0].id}`, 200);
  await call(api.getReport, "/v1/models/m/reports/1999-01-01T00:00:00.000Z", 404);
  // Documents (issue #17).
  await call(api.modelCard, "/v1/models/m/versions/1/card", 200);
  await call(api.modelCard, "/v1/models/m/versions/1/card?format=html", 200);
  await call(api.modelCard, "/v1/models/m/versions/1/card?format=pdf", 400);
  await call(api.modelCard, "/v1/models/m/versions/9/card", 404);
  await call(api.modelCard, "/v1/models/nope/versions/1/card", 404);
  await call(api.healthDocument, "/v1/models/m/health-report?format=html", 200);
  await call(api.healthDocument, "/v1/models/m/health-report?from=yesterday", 400);
  await call(api.healthDocument, "/v1/models/nope/health-report", 404);
  await call(api.resources, "/v1/resources", 200);
  await call(api.resources, "/v1/resources?last=forever", 400);

  // A version's files and labelled events (optimize --server, the learning loop).
  const onnx = readFileSync(repoPath("models", "breast_cancer_mlp.onnx"));
  await call(
    api.registerVersion,
    "/v1/models/m/versions",
    201,
    json({ version: "3", onnx: onnx.toString("base64") }),
  );
  const downloaded = await fetch(`${server.url}/v1/models/m/versions/3/model`);
  assert.deepEqual(Buffer.from(await downloaded.arrayBuffer()), onnx);
  await call(api.getVersionModel, "/v1/models/m/versions/3/model", 200);
  await call(api.getVersionModel, "/v1/models/m/versions/1/model", 404);
  await call(api.getVersionModel, "/v1/models/m/versions/9/model", 404);
  await call(api.getVersionModel, "/v1/models/nope/versions/1/model", 404);
  assert.equal(await call(api.getReference, "/v1/models/m/versions/1/reference", 200), csv);
  await call(api.getReference, "/v1/models/m/versions/3/reference", 404);
  await call(api.getReference, "/v1/models/nope/versions/1/reference", 404);
  const pairs = String(await call(api.listLabelled, "/v1/models/m/labelled?version=1&limit=3", 200))
    .trim()
    .split("\n")
    .map((line) => LabelledEvent.parse(JSON.parse(line)));
  assert.deepEqual(
    pairs.map((p) => [p.id, p.label]),
    [0, 1, 2].map((i) => [`e${i}`, labels[i]!.value]),
  );
  await call(api.listLabelled, "/v1/models/m/labelled?limit=0", 400);
  await call(api.listLabelled, "/v1/models/m/labelled?from=yesterday", 400);
  await call(api.listLabelled, "/v1/models/m/labelled?version=9", 404);
  await call(api.listLabelled, "/v1/models/nope/labelled", 404);

  // Alerts and silences.
  await call(api.listAlerts, "/v1/alerts", 200);
  await call(api.ackAlert, "/v1/alerts/0123/ack", 404, json({ by: "me" }));
  await call(api.ackAlert, "/v1/alerts/0123/ack", 400, json({ comment: "who?" }));
  const silence = {
    matchers: [{ name: "model", value: "m", isRegex: false }],
    endsAt: new Date(Date.now() + DAY).toISOString(),
    createdBy: "me",
    comment: "maintenance",
  };
  const { silenceID } = await call(api.createSilence, "/v1/silences", 201, json(silence));
  await call(api.createSilence, "/v1/silences", 400, json({ ...silence, matchers: "model=m" }));
  await call(api.createSilence, "/v1/silences", 400, json({ ...silence, matchers: [] }));
  await call(api.listSilences, "/v1/silences", 200);
  await call(api.expireSilence, `/v1/silences/${silenceID}`, 200);
  await call(api.expireSilence, "/v1/silences/nope", 404);

  // The live stream: its headers, then the connection is dropped.
  const controller = new AbortController();
  const stream = await fetch(`${server.url}/v1/stream`, { signal: controller.signal });
  assert.equal(stream.status, 200);
  assert.ok(doc.paths["/v1/stream"].get.responses["200"].content["text/event-stream"]);
  (seen.get("stream") ?? seen.set("stream", new Set()).get("stream")!).add(200);
  controller.abort();

  // A path with another method: 405 with Allow.
  const wrong = await fetch(`${server.url}/v1/models`, { method: "DELETE" });
  assert.equal(wrong.status, 405);
  assert.ok(doc.paths["/v1/models"].get.responses["405"]);
  assert.ok(errorOf("METHOD_NOT_ALLOWED").safeParse(await wrong.json()).success);
});

test("tokens, scopes and limits: 401, 403, 413 and 429 are answers the document declares", async () => {
  const on = guarded;
  const model = json({ name: "g", task: "regression", features: [{ name: "x", type: "numeric" }] });
  await call(api.registerModel, "/v1/models", 401, { ...model, on });
  await call(api.registerModel, "/v1/models", 403, { ...model, on, token: "ing-1" });
  await call(api.registerModel, "/v1/models", 201, { ...model, on, token: "adm-1" });
  await call(api.listModels, "/v1/models", 403, { on, token: "ing-1" });
  const big = ndjson(
    Array.from({ length: 200 }, (_, i) => ({ id: i, version: "1", features: { x: i }, prediction: 1 })),
  );
  await call(api.ingestEvents, "/v1/models/g/events", 413, { ...big, on, token: "ing-1" });
  let status = 0;
  for (let i = 0; i < 12 && status !== 429; i++) {
    const response = await fetch(`${on.url}/v1/models`, { headers: { authorization: "Bearer wrong" } });
    status = response.status;
    await response.text();
  }
  assert.equal(status, 429);
  await call(api.listModels, "/v1/models", 429, { on, token: "wrong" });
});

test("the deployment routes (#14) answer what the document declares", async () => {
  const onnx = new Uint8Array(readFileSync(repoPath("models", "breast_cancer_mlp.onnx")));
  const features = readFileSync(repoPath("data", "breast_cancer", "breast_cancer.csv"), "utf8")
    .split("\n")[0]!
    .split(",")
    .slice(0, 30);
  const binary = (bytes: Uint8Array) => ({ body: bytes, type: "application/octet-stream" });
  await call(
    api.registerModel,
    "/v1/models",
    201,
    json({
      name: "bc",
      task: "binary",
      classes: ["0", "1"],
      features: features.map((name) => ({ name, type: "numeric" })),
    }),
  );
  for (const version of ["1", "2", "3"])
    await call(api.registerVersion, "/v1/models/bc/versions", 201, json({ version }));
  await call(api.putModel, "/v1/models/bc/versions/1/model", 200, binary(onnx));
  await call(api.putModel, "/v1/models/bc/versions/2/model", 200, binary(onnx));
  const corrupt = await call(
    api.putModel,
    "/v1/models/bc/versions/3/model",
    400,
    binary(onnx.subarray(0, 999)),
  );
  assert.equal(corrupt.code, "ONNX_INVALID");
  const digits = new Uint8Array(readFileSync(repoPath("models", "digits_mlp.onnx")));
  const unfit = await call(api.putModel, "/v1/models/bc/versions/3/model", 422, binary(digits));
  assert.match(unfit.message, /30 features/);
  await call(api.putModel, "/v1/models/bc/versions/9/model", 404, binary(onnx));
  await call(api.putModel, "/v1/models/nope/versions/1/model", 404, binary(onnx));
  await call(api.putModel, "/v1/models/bc/versions/1/model", 415, json({}));
  await call(api.getDeployment, "/v1/models/bc/deployment", 200);
  await call(api.getDeployment, "/v1/models/nope/deployment", 404);
  const row = Object.fromEntries(features.map((f) => [f, 1]));
  await call(api.predict, "/v1/models/bc/predict", 409, json({ input: row }));
  await call(api.setStage, "/v1/models/bc/stages", 409, json({ version: "3", stage: "production" }));
  await call(api.setStage, "/v1/models/bc/stages", 400, json({ version: "1", stage: "shadow" }));
  await call(api.setStage, "/v1/models/bc/stages", 404, json({ version: "9", stage: "production" }));
  await call(api.setStage, "/v1/models/nope/stages", 404, json({ version: "1", stage: "production" }));
  await call(
    api.setStage,
    "/v1/models/bc/stages",
    200,
    json({ version: "1", stage: "production", reason: "first" }),
  );
  await call(api.putModel, "/v1/models/bc/versions/1/model", 409, binary(onnx));
  const answer = await call(
    api.predict,
    "/v1/models/bc/predict",
    200,
    json({ inputs: [row, row], time: T0 }),
  );
  assert.equal(answer.predictions.length, 2);
  const missing = await call(api.predict, "/v1/models/bc/predict", 400, json({ input: { mean_radius: 1 } }));
  assert.match(missing.location.path, /^inputs\.0\./);
  await call(api.predict, "/v1/models/bc/predict", 400, json({ input: { ...row, colour: 1 } }));
  await call(api.predict, "/v1/models/nope/predict", 404, json({ input: row }));
  await call(api.rolloutCommand, "/v1/models/bc/rollout/pause", 409, json({}));
  await call(api.startRollout, "/v1/models/bc/rollouts", 400, json({ version: "2", steps: [50, 25] }));
  // Verification before traffic: a latency budget no model meets refuses the rollout (422).
  const none = await call(api.getVerification, "/v1/models/bc/verification", 200);
  assert.equal(none.declared, false);
  await call(api.getVerification, "/v1/models/nope/verification", 404);
  const bad = await call(
    api.putVerification,
    "/v1/models/bc/verification",
    400,
    json({ metrics: { latency: { budgetMs: 0 } } }),
  );
  assert.equal(bad.location.path, "metrics.latency.budgetMs");
  await call(api.putVerification, "/v1/models/nope/verification", 404, json({}));
  await call(
    api.putVerification,
    "/v1/models/bc/verification",
    200,
    json({ metrics: { latency: { budgetMs: 1e-9, runs: 10 } } }),
  );
  const verified = await call(api.verifyVersion, "/v1/models/bc/versions/2/verify", 200, json({}));
  assert.equal(verified.outcome, "fail");
  await call(api.verifyVersion, "/v1/models/bc/versions/9/verify", 404, json({}));
  await call(api.verifyVersion, "/v1/models/nope/versions/2/verify", 404, json({}));
  const refused = await call(api.startRollout, "/v1/models/bc/rollouts", 422, json({ version: "2" }));
  assert.equal(refused.code, "VERIFICATION_FAILED");
  await call(
    api.putVerification,
    "/v1/models/bc/verification",
    200,
    json({ metrics: { latency: { budgetMs: 60_000, runs: 10 } } }),
  );
  await call(api.listVerifications, "/v1/models/bc/verifications", 200);
  await call(api.listVerifications, "/v1/models/nope/verifications", 404);
  const rollout = await call(
    api.startRollout,
    "/v1/models/bc/rollouts",
    201,
    json({ version: "2", by: "contract" }),
  );
  await call(api.startRollout, "/v1/models/bc/rollouts", 409, json({ version: "2" }));
  await call(api.startRollout, "/v1/models/nope/rollouts", 404, json({ version: "2" }));
  await call(api.rolloutCommand, "/v1/models/bc/rollout/pause", 200, json({ reason: "look" }));
  await call(api.rolloutCommand, "/v1/models/bc/rollout/resume", 200, json({}));
  await call(api.rolloutCommand, "/v1/models/bc/rollout/resume", 409, json({}));
  await call(api.rolloutCommand, "/v1/models/bc/rollout/jump", 400, json({}));
  await call(api.rolloutCommand, "/v1/models/bc/rollout/promote", 200, json({ reason: "looks fine" }));
  await call(api.listRollouts, "/v1/models/bc/rollouts", 200);
  await call(api.listRollouts, "/v1/models/nope/rollouts", 404);
  await call(api.listAnalyses, `/v1/models/bc/rollouts/${rollout.id}/analyses`, 200);
  await call(api.listAnalyses, "/v1/models/nope/rollouts/x/analyses", 404);
  const history = await call(api.deploymentHistory, "/v1/models/bc/deployment/history", 200);
  assert.ok(history.history.length >= 6);
  await call(api.deploymentHistory, "/v1/models/nope/deployment/history", 404);
  const back = await call(api.rollback, "/v1/models/bc/rollback", 200, json({ reason: "undo" }));
  assert.equal(back.production, "1");
  await call(api.rollback, "/v1/models/bc/rollback", 409, json({}));
  await call(api.rollback, "/v1/models/nope/rollback", 404, json({}));

  // The learning declaration (#15): strict, 400 with the field; 422 for a learner that does not fit.
  const unknownField = await call(
    api.putLearning,
    "/v1/models/bc/learning",
    400,
    json({ learner: "mlp", often: 1 }),
  );
  assert.equal(unknownField.location.path, "often");
  const linear = await call(api.putLearning, "/v1/models/bc/learning", 422, json({ learner: "linear" }));
  assert.equal(linear.code, "LEARNING_UNSUPPORTED");
  await call(api.putLearning, "/v1/models/nope/learning", 404, json({ learner: "mlp" }));
  const declared = await call(
    api.putLearning,
    "/v1/models/bc/learning",
    200,
    json({ learner: "mlp", every: "1w" }),
  );
  assert.equal(declared.config.every, "1w");
  await call(api.getLearning, "/v1/models/bc/learning", 200);
  await call(api.getLearning, "/v1/models/nope/learning", 404);
  await call(api.learningRuns, "/v1/models/bc/learning/runs", 200);
  await call(api.learningRuns, "/v1/models/nope/learning/runs", 404);
});

test("every route of the contract was called, and every status the test saw is in the document", () => {
  const missing = Object.values(api)
    .map((route) => route.operationId)
    .filter((id) => !seen.has(id));
  assert.deepEqual(missing, []);
});
