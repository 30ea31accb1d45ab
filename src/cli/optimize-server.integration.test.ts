import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { downloadModel, downloadReference, readLabelled, ServerRequestError } from "../client/index.js";
import type { OptimizationReport } from "../optimizer/index.js";
import { runCli } from "../testing/cli.js";
import { repoPath } from "../testing/paths.js";
import { exited, spawnServe } from "../testing/serve-process.js";

/**
 * `optimize --server URL --model NAME`: a real `tiktoktoe serve` (a child process) with the digits MLP
 * registered, a labelled reference and production events with labels; the CLI downloads them through
 * the new routes and its report opens with production against the objectives — the numbers the
 * server's own /windows lists.
 */

const dir = mkdtempSync(join(tmpdir(), "tiktoktoe-optsrv-"));
const mlp = repoPath("models", "digits_mlp.onnx");
const T0 = Date.parse("2024-03-01T00:00:00Z");
const REFERENCE_ROWS = 300;
const EVENTS = 400;

let child: Awaited<ReturnType<typeof spawnServe>>["child"] | undefined;
let url = "";
let referenceCsv = "";

/** digits.csv as rows of 64 pixels / 16 (what the bundled MLP takes) and the digit. */
function digitsRows(): { x: number[]; y: number }[] {
  const lines = readFileSync(repoPath("data", "digits", "digits.csv"), "utf8")
    .trim()
    .split("\n");
  return lines.slice(1).map((line) => {
    const cells = line.split(",").map(Number);
    return { x: cells.slice(0, 64).map((v) => v / 16), y: cells[64]! };
  });
}
const names = Array.from({ length: 64 }, (_, i) => `p${i}`);

async function send(method: string, path: string, body: string, type: string): Promise<unknown> {
  const response = await fetch(`${url}${path}`, { method, headers: { "content-type": type }, body });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

before(async () => {
  ({ child, url } = await spawnServe(["--data-dir", join(dir, "data"), "--port", "0", "--clock", "event"]));
  const rows = digitsRows();
  await send(
    "POST",
    "/v1/models",
    JSON.stringify({
      name: "digits",
      task: "multiclass",
      features: names.map((name) => ({ name, type: "numeric" })),
      classes: Array.from({ length: 10 }, (_, i) => String(i)),
    }),
    "application/json",
  );
  await send(
    "POST",
    "/v1/models/digits/versions",
    JSON.stringify({ version: "1", onnx: readFileSync(mlp).toString("base64") }),
    "application/json",
  );
  referenceCsv = `${[...names, "target"].join(",")}\n${rows
    .slice(0, REFERENCE_ROWS)
    .map((r) => [...r.x, r.y].join(","))
    .join("\n")}\n`;
  await send("PUT", "/v1/models/digits/versions/1/reference", referenceCsv, "text/csv");
  // Production: every 8th prediction wrong (accuracy ≈ 0.875, below the 0.95 objective), latencies
  // 1…40 ms, over two days.
  const production = rows.slice(REFERENCE_ROWS, REFERENCE_ROWS + EVENTS);
  const events = production.map((r, i) => ({
    id: `e${i}`,
    time: T0 + i * 6 * 60_000,
    version: "1",
    features: Object.fromEntries(names.map((n, j) => [n, r.x[j]!])),
    prediction: String(i % 8 === 0 ? (r.y + 1) % 10 : r.y),
    latency_ms: 1 + (i % 40),
  }));
  await send(
    "POST",
    "/v1/models/digits/events",
    events.map((e) => JSON.stringify(e)).join("\n"),
    "application/x-ndjson",
  );
  const labels = production.map((r, i) => ({ id: `e${i}`, value: String(r.y), time: T0 + i * 6 * 60_000 }));
  await send(
    "POST",
    "/v1/models/digits/labels",
    labels.map((l) => JSON.stringify(l)).join("\n"),
    "application/x-ndjson",
  );
});

after(async () => {
  try {
    if (child !== undefined) {
      child.kill("SIGTERM");
      await exited(child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the SDK downloads a version's model and reference as stored, and its labelled events", async () => {
  const server = { url };
  assert.deepEqual(Buffer.from(await downloadModel(server, "digits", "1")), readFileSync(mlp));
  const reference = await downloadReference(server, "digits", "1");
  assert.equal(reference.format, "csv");
  assert.equal(Buffer.from(reference.bytes).toString("utf8"), referenceCsv);
  const pairs = [];
  for await (const pair of readLabelled(server, "digits", { version: "1", limit: 5 })) pairs.push(pair);
  assert.deepEqual(
    pairs.map((p) => p.id),
    ["e0", "e1", "e2", "e3", "e4"],
  );
  assert.equal(pairs[1]!.features.p10, digitsRows()[REFERENCE_ROWS + 1]!.x[10]);
  assert.equal(pairs[1]!.label, String(digitsRows()[REFERENCE_ROWS + 1]!.y));
  // The event-time range: [T0 + 1 h, T0 + 2 h) holds events 10…19.
  const ranged = [];
  for await (const pair of readLabelled(server, "digits", {
    from: T0 + 3_600_000,
    to: new Date(T0 + 7_200_000),
  }))
    ranged.push(pair.id);
  assert.deepEqual(
    ranged,
    Array.from({ length: 10 }, (_, i) => `e${10 + i}`),
  );
  await assert.rejects(
    () => downloadModel(server, "digits", "9"),
    (error: unknown) =>
      error instanceof ServerRequestError && error.status === 404 && error.code === "NOT_FOUND",
  );
  await assert.rejects(
    async () => {
      for await (const _ of readLabelled(server, "nope")) break;
    },
    (error: unknown) => error instanceof ServerRequestError && error.status === 404,
  );
});

test("optimize --server: the report opens with production's accuracy and p99 against the objectives", async () => {
  const run = await runCli([
    "optimize",
    "--server",
    url,
    "--model",
    "digits",
    "--version",
    "1",
    "--techniques",
    "quantize",
    "--folds",
    "2",
    "--runs",
    "5",
    "--format",
    "json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as OptimizationReport;
  assert.equal(Object.keys(report)[0], "production");
  const production = report.production!;
  assert.equal(report.rows, REFERENCE_ROWS + EVENTS);
  assert.deepEqual(production.data, {
    reference_rows: REFERENCE_ROWS,
    labelled_rows: EVENTS,
    skipped: 0,
    from: null,
    to: null,
  });
  assert.equal(production.version, "1");
  assert.equal(production.metric, "accuracy");

  // The numbers are the server's: its newest labelled window and newest window with latencies.
  const { windows } = (await (await fetch(`${url}/v1/models/digits/windows?version=1`)).json()) as {
    windows: Array<{
      start: string;
      startMs: number;
      labels: number;
      quality: { accuracy: number };
      latency: { p99: number; count: number };
    }>;
  };
  const newest = [...windows].sort((a, b) => b.startMs - a.startMs)[0]!;
  assert.ok(newest.labels > 0);
  assert.equal(production.quality!.value, newest.quality.accuracy);
  assert.equal(production.quality!.window, newest.start);
  assert.equal(production.quality!.labels, newest.labels);
  assert.equal(production.latency_p99_ms!.value, newest.latency.p99);
  assert.equal(production.latency_p99_ms!.count, newest.latency.count);

  // Against the seed's objectives: accuracy 0.95 (missed: every 8th prediction is wrong), p99 50 ms (met).
  const byName = Object.fromEntries(production.objectives.map((o) => [o.name, o]));
  assert.ok(newest.quality.accuracy < 0.95);
  assert.equal(byName.accuracy!.met, false);
  assert.equal(byName.accuracy!.targeted, false);
  assert.ok(newest.latency.p99 <= 50);
  assert.equal(byName.latency!.met, true);
  assert.deepEqual(production.optimization_for, ["resource_usage"]);

  // The same pipeline ran on the downloaded rows.
  assert.match(report.model, /\/v1\/models\/digits\/versions\/1\/model$/);
  assert.ok(report.candidates.some((c) => c.technique === "quantize"));
  assert.ok(report.baseline.accuracy > 0.95);
});

test("optimize --server --format markdown: the report opens with the section, newest version by default", async () => {
  const run = await runCli([
    "optimize",
    "--server",
    url,
    "--model",
    "digits",
    "--techniques",
    "none",
    "--runs",
    "2",
    "--folds",
    "2",
    "--format",
    "markdown",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split("\n");
  assert.match(lines[0]!, /^# Optimization report: http:.*\/v1\/models\/digits\/versions\/1\/model$/);
  assert.equal(lines[2], "## Production vs objectives");
  assert.match(run.stdout, /\| accuracy \| 0\.95 \| 0\.\d+ \| no \| no \|/);
  assert.match(run.stdout, /\| latency \| 50 ms \| [\d.]+ ms \| yes \| no \|/);
  assert.match(run.stdout, /The optimization is for: resource_usage\./);
  assert.match(run.stdout, /validation rows: 300 from the reference, 400 labelled events/);
});

test("optimize --server: an unknown version exits 2 naming it", async () => {
  const run = await runCli([
    "optimize",
    "--server",
    url,
    "--model",
    "digits",
    "--version",
    "9",
    "--format",
    "json",
  ]);
  assert.equal(run.code, 2);
  assert.match(
    run.stderr,
    /error INPUT_NOT_FOUND: --version: the ONNX model of version "9": unknown version "9" of model "digits"/,
  );
});

/** `optimize --server … --deploy`: register the chosen candidate, then its canary rollout (verified). */
function deployArgs(version: string, out: string, extra: string[] = []): string[] {
  return [
    "optimize",
    "--server",
    url,
    "--model",
    "digits",
    "--version",
    "1",
    "--techniques",
    "quantize",
    "--folds",
    "2",
    "--runs",
    "5",
    // Accept the candidate whatever its speed on this machine: the test is about the deployment.
    "--min-improvement=-1",
    "--max-drop",
    "0.05",
    "--out",
    out,
    "--deploy",
    "digits",
    "--deploy-version",
    version,
    "--format",
    "json",
    ...extra,
  ];
}

async function getJson(path: string) {
  const response = await fetch(`${url}${path}`);
  assert.ok(response.ok, `GET ${path} → ${response.status}`);
  // biome-ignore lint/suspicious/noExplicitAny: answers are read as plain JSON
  return (await response.json()) as any;
}

test("optimize --deploy: the chosen candidate is registered and rolled out as a canary, verified first, with its source and acceptance", async () => {
  await send(
    "POST",
    "/v1/models/digits/stages",
    JSON.stringify({ version: "1", stage: "production" }),
    "application/json",
  );
  const out = join(dir, "deploy-q1");
  const run = await runCli(deployArgs("q1", out, ["--canary", "10,50,100"]));
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /deployed quantize\S* as version "q1" of "digits"/);
  assert.match(run.stderr, /rollout \S+ of "q1" started: canary at 10%, steps 10 → 50 → 100/);
  const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as OptimizationReport;
  const state = await getJson("/v1/models/digits/deployment");
  assert.equal(state.stages.q1, "canary");
  const rollout = state.rollout;
  assert.equal(rollout.candidate, "q1");
  assert.equal(rollout.production, "1");
  assert.deepEqual(rollout.spec.steps, [10, 50, 100]);
  assert.equal(rollout.source.kind, "optimization");
  assert.match(rollout.source.id, new RegExp(`^${report.chosen_id}@[0-9a-f]{12}$`));
  assert.equal(rollout.limits.accuracyDrop, report.acceptance.accuracy_drop_limit);
  assert.equal(rollout.limits.accuracyDrop, 0.05);
  // Verified before any traffic, by default schema and agreement on version 1's reference rows.
  assert.equal(rollout.verification.outcome, "pass");
  assert.equal(rollout.verification.reference, "1");
  const agreement = rollout.verification.tests.find((t: { name: string }) => t.name === "agreement");
  assert.equal(agreement.n, REFERENCE_ROWS);
  assert.ok(agreement.value >= 0.9, JSON.stringify(agreement));
  await send(
    "POST",
    "/v1/models/digits/rollout/abort",
    JSON.stringify({ reason: "test" }),
    "application/json",
  );
});

test("optimize --deploy: a verification failure exits 2 with the failed test; the version stays a candidate", async () => {
  // A latency budget no model meets.
  await send(
    "PUT",
    "/v1/models/digits/verification",
    JSON.stringify({ metrics: { latency: { budgetMs: 1e-9, runs: 10 } } }),
    "application/json",
  );
  const run = await runCli(deployArgs("q2", join(dir, "deploy-q2")));
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /version "q2" is registered but failed verification; no traffic was routed to it/);
  assert.match(run.stderr, /latency: p99 [\d.]+ ms > budget 1e-9 ms over 10 single-row runs/);
  const state = await getJson("/v1/models/digits/deployment");
  assert.equal(state.stages.q2 ?? "candidate", "candidate");
  assert.notEqual(state.rollout?.candidate, "q2");
  const { rollouts } = await getJson("/v1/models/digits/rollouts");
  assert.equal(rollouts[0].candidate, "q2");
  assert.equal(rollouts[0].phase, "aborted");
  assert.equal(rollouts[0].source.kind, "optimization");
  const bad = await runCli([...deployArgs("q3", join(dir, "deploy-q3")), "--canary", "5,abc"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--canary: step 2 \("abc"\)/);
});
